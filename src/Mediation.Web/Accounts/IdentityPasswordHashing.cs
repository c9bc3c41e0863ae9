using Mediation.Application.Features.Administration;
using Mediation.Domain.Org;
using Microsoft.AspNetCore.Identity;

namespace Mediation.Web.Accounts;

/// <summary>ASP.NET Core Identity's salted, iterated password hash, for sign-in and the account commands alike.</summary>
public sealed class IdentityPasswordHashing : IPasswordHashing
{
    private readonly PasswordHasher<StaffMember> _hasher = new();

    public string Hash(StaffMember staff, string password) => _hasher.HashPassword(staff, password);

    public PasswordCheck Check(StaffMember staff, string hash, string password) => _hasher.VerifyHashedPassword(staff, hash, password) switch
    {
        PasswordVerificationResult.Success => PasswordCheck.Right,
        PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.RightButRehash,
        _ => PasswordCheck.Wrong,
    };
}
