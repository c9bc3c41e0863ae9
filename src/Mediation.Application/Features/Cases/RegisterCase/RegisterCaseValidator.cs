using System.Text.RegularExpressions;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.RegisterCase;

internal sealed partial class RegisterCaseValidator : IValidator<RegisterCase>
{
    // Beyond any sum a street office mediates; also keeps the stored decimal far from its limits.
    private const decimal MaxAmount = 100_000_000_000m;

    public IEnumerable<FieldError> Validate(RegisterCase request)
    {
        foreach (var e in Rules.Required(request.Channel, "channel")) yield return e;
        foreach (var e in Rules.Required(request.Category, "category")) yield return e;
        foreach (var e in Rules.Required(request.RiskLevel, "riskLevel")) yield return e;
        foreach (var e in Rules.Required(request.Summary, "summary", 500)) yield return e;
        foreach (var e in Rules.Optional(request.Description, "description", 4000)) yield return e;
        foreach (var e in Rules.Optional(request.IdempotencyKey, "idempotencyKey", 100)) yield return e;
        if (request.AmountInDispute is < 0)
            yield return new("amountInDispute", "The sum in dispute cannot be negative.", "涉及金额不能为负数。");
        if (request.AmountInDispute is > MaxAmount)
            yield return new("amountInDispute", $"The sum in dispute must be at most {MaxAmount} yuan.", $"涉及金额最多 {MaxAmount} 元。");
        if ((request.RiskSignals & ~(RiskSignals.LevelSkippingPetition | RiskSignals.CollectivePetition | RiskSignals.TurningViolent)) != 0)
            yield return new("riskSignals", "Unknown risk signal.", "未知的风险信号。");

        var parties = request.Parties ?? [];
        if (parties.Count == 0)
            yield return new("parties", "At least one party (the applicant) is required.", "至少需要一名当事人（申请人）。");
        else if (!parties.Any(p => p?.Role == PartyRole.Applicant))
            yield return new("parties", "At least one party must be an applicant.", "至少需要一名申请人。");
        if (parties.Count > 500)
            yield return new("parties", "At most 500 parties can be registered on one case.", "一件案件最多登记 500 名当事人。");

        for (var i = 0; i < Math.Min(parties.Count, 500); i++)
        {
            var p = parties[i];
            var at = $"parties[{i}]";
            if (p is null)
            {
                // JSON binds null into a list of non-nullable parties: a missing party, not a crash.
                yield return new(at, $"'{at}' is required (null is not a party).", $"“{at}”为必填项（不能为 null）。");
                continue;
            }
            foreach (var e in Rules.Required(p.Role, at + ".role")) yield return e;
            foreach (var e in Rules.Required(p.Name, at + ".name", 100)) yield return e;
            foreach (var e in Rules.Optional(p.Address, at + ".address", 300)) yield return e;
            if (!string.IsNullOrWhiteSpace(p.Phone) && !PhonePattern().IsMatch(p.Phone.Trim()))
                yield return new(at + ".phone", "A phone number is 7 to 20 digits, optionally with '+', '-' or spaces.", "电话号码格式不正确（7–20位数字，可含“+”“-”或空格）。");
            if (!string.IsNullOrWhiteSpace(p.IdNumber) && !ResidentIdNumber.IsValid(p.IdNumber.Trim()))
                yield return new(at + ".idNumber", "Not a valid resident ID number (18 characters with a correct check digit).", "身份证号码不正确（18位，校验位须正确）。");
        }
    }

    [GeneratedRegex(@"^\+?[0-9][0-9 \-]{5,18}[0-9]$")]
    private static partial Regex PhonePattern();
}

/// <summary>居民身份证号码 (GB 11643-1999): 17 digits and a check character computed from them.</summary>
public static class ResidentIdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    public static bool IsValid(string id)
    {
        if (id.Length != 18)
            return false;
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(id[i]))
                return false;
            sum += (id[i] - '0') * Weights[i];
        }
        return char.ToUpperInvariant(id[17]) == CheckCharacters[sum % 11];
    }
}
