using MediatR;

namespace Mediation.Application.Pipeline;

/// <summary>Checks the shape of one kind of request before it reaches its handler.</summary>
public interface IValidator<in TRequest>
{
    IEnumerable<FieldError> Validate(TRequest request);
}

internal sealed class ValidationBehavior<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
{
    public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var errors = validators.SelectMany(v => v.Validate(request)).ToList();
        return errors.Count > 0 ? throw new RequestValidationException(errors) : next();
    }
}

/// <summary>Small helpers so each validator reads as a list of rules.</summary>
public static class Rules
{
    // Dates a person can mean in a dispute: anything else is a typo or a probe, and breaks deadline arithmetic.
    public static readonly DateOnly EarliestDate = new(2000, 1, 1);
    public static readonly DateOnly LatestDate = new(2100, 12, 31);

    public static IEnumerable<FieldError> Required(string? value, string field, int maxLength = 2000)
    {
        if (string.IsNullOrWhiteSpace(value))
            yield return new(field, $"'{field}' is required.", $"“{field}”为必填项。");
        else if (value.Length > maxLength)
            yield return new(field, $"'{field}' must be at most {maxLength} characters.", $"“{field}”最多 {maxLength} 个字符。");
        else if (HasControlCharacters(value))
            yield return ControlCharacters(field);
    }

    public static IEnumerable<FieldError> Optional(string? value, string field, int maxLength = 2000)
    {
        if (value is not null && value.Length > maxLength)
            yield return new(field, $"'{field}' must be at most {maxLength} characters.", $"“{field}”最多 {maxLength} 个字符。");
        else if (value is not null && HasControlCharacters(value))
            yield return ControlCharacters(field);
    }

    /// <summary>
    /// Text holds no control characters but line breaks and tabs: nobody types them, a page cannot show them, and
    /// PostgreSQL refuses a NUL in text outright, which would otherwise surface as a failed write instead of this rule.
    /// </summary>
    public static bool HasControlCharacters(string value) =>
        value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));

    private static FieldError ControlCharacters(string field) =>
        new(field, $"'{field}' contains a control character; only text, line breaks and tabs are accepted.", $"“{field}”含有控制字符；只能填写文字、换行和制表符。");

    public static IEnumerable<FieldError> Defined<TEnum>(TEnum value, string field)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            yield return new(field, $"'{value}' is not a valid {field}. Allowed: {string.Join(", ", AllowedNames<TEnum>())}.", $"“{field}”的取值无效。可选值：{string.Join("、", AllowedNames<TEnum>())}。");
    }

    /// <summary>An enum the API documents as required: missing (or null) is refused, not defaulted to its first value.</summary>
    public static IEnumerable<FieldError> Required<TEnum>(TEnum? value, string field)
        where TEnum : struct, Enum
    {
        if (value is { } given)
            return Defined(given, field);
        return [new(field, $"'{field}' is required. Allowed: {string.Join(", ", AllowedNames<TEnum>())}.", $"“{field}”为必填项。可选值：{string.Join("、", AllowedNames<TEnum>())}。")];
    }

    public static IEnumerable<FieldError> Version(int expectedVersion)
    {
        if (expectedVersion < 1)
            yield return new("expectedVersion", "'expectedVersion' must be the case version you last saw (1 or more).", "“expectedVersion”须为您最后看到的案件版本号（1 或以上）。");
    }

    public static IEnumerable<FieldError> SaneDate(DateOnly date, string field)
    {
        if (date < EarliestDate || date > LatestDate)
            yield return new(field, $"'{field}' must lie between {EarliestDate:yyyy-MM-dd} and {LatestDate:yyyy-MM-dd}.", $"“{field}”须在 {EarliestDate:yyyy-MM-dd} 至 {LatestDate:yyyy-MM-dd} 之间。");
    }

    public static IEnumerable<FieldError> SaneDate(DateTime time, string field) => SaneDate(DateOnly.FromDateTime(time), field);

    /// <summary>The camelCase names the API accepts for an enum, as the JSON converter writes them.</summary>
    public static IReadOnlyList<string> AllowedNames<TEnum>()
        where TEnum : struct, Enum => AllowedNames(typeof(TEnum));

    public static IReadOnlyList<string> AllowedNames(Type enumType) =>
        Enum.GetNames(enumType).Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName).ToList();
}
