using System.Text.RegularExpressions;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.RegisterCase;

internal sealed partial class RegisterCaseValidator : IValidator<RegisterCase>
{
    public IEnumerable<FieldError> Validate(RegisterCase request)
    {
        foreach (var e in Rules.Defined(request.Channel, "channel")) yield return e;
        foreach (var e in Rules.Defined(request.Category, "category")) yield return e;
        foreach (var e in Rules.Defined(request.RiskLevel, "riskLevel")) yield return e;
        foreach (var e in Rules.Required(request.Summary, "summary", 500)) yield return e;
        foreach (var e in Rules.Optional(request.Description, "description", 4000)) yield return e;
        foreach (var e in Rules.Optional(request.IdempotencyKey, "idempotencyKey", 100)) yield return e;
        if (request.AmountInDispute is < 0)
            yield return new("amountInDispute", "The sum in dispute cannot be negative.");
        if ((request.RiskSignals & ~(RiskSignals.LevelSkippingPetition | RiskSignals.CollectivePetition | RiskSignals.TurningViolent)) != 0)
            yield return new("riskSignals", "Unknown risk signal.");

        var parties = request.Parties ?? [];
        if (parties.Count == 0)
            yield return new("parties", "At least one party (the applicant) is required.");
        else if (!parties.Any(p => p.Role == PartyRole.Applicant))
            yield return new("parties", "At least one party must be an applicant.");
        if (parties.Count > 500)
            yield return new("parties", "At most 500 parties can be registered on one case.");

        for (var i = 0; i < parties.Count; i++)
        {
            var p = parties[i];
            var at = $"parties[{i}]";
            foreach (var e in Rules.Defined(p.Role, at + ".role")) yield return e;
            foreach (var e in Rules.Required(p.Name, at + ".name", 100)) yield return e;
            foreach (var e in Rules.Optional(p.Address, at + ".address", 300)) yield return e;
            if (!string.IsNullOrWhiteSpace(p.Phone) && !PhonePattern().IsMatch(p.Phone.Trim()))
                yield return new(at + ".phone", "A phone number is 7 to 20 digits, optionally with '+', '-' or spaces.");
            if (!string.IsNullOrWhiteSpace(p.IdNumber) && !ResidentIdNumber.IsValid(p.IdNumber.Trim()))
                yield return new(at + ".idNumber", "Not a valid resident ID number (18 characters with a correct check digit).");
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
