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
    public static IEnumerable<FieldError> Required(string? value, string field, int maxLength = 2000)
    {
        if (string.IsNullOrWhiteSpace(value))
            yield return new(field, $"'{field}' is required.");
        else if (value.Length > maxLength)
            yield return new(field, $"'{field}' must be at most {maxLength} characters.");
    }

    public static IEnumerable<FieldError> Optional(string? value, string field, int maxLength = 2000)
    {
        if (value is not null && value.Length > maxLength)
            yield return new(field, $"'{field}' must be at most {maxLength} characters.");
    }

    public static IEnumerable<FieldError> Defined<TEnum>(TEnum value, string field)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            yield return new(field, $"'{value}' is not a valid {field}.");
    }

    public static IEnumerable<FieldError> Version(int expectedVersion)
    {
        if (expectedVersion < 1)
            yield return new("expectedVersion", "'expectedVersion' must be the case version you last saw (1 or more).");
    }
}
