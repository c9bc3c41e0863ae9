namespace Mediation.Domain.Org;

/// <summary>A person who works in the network: a mediator, grid worker, petition-office monitor or administrator.</summary>
public sealed class StaffMember
{
    private StaffMember()
    {
        UserName = DisplayName = Role = "";
    }

    public StaffMember(long id, string userName, string displayName, string role, long unitId)
    {
        Id = id;
        UserName = userName;
        DisplayName = displayName;
        Role = role;
        UnitId = unitId;
    }

    public long Id { get; private set; }
    public string UserName { get; private set; }
    public string DisplayName { get; private set; }

    /// <summary>A role id of the workflow definition (villageMediator, petitionOffice, …).</summary>
    public string Role { get; private set; }
    public long UnitId { get; private set; }

    /// <summary>ASP.NET Core Identity's salted hash; null until a password is set.</summary>
    public string? PasswordHash { get; private set; }
    public int FailedSignIns { get; private set; }
    public DateTime? LockedUntil { get; private set; }

    /// <summary>A deactivated account cannot sign in and its sessions are ended; its history stays.</summary>
    public bool Active { get; private set; } = true;

    public bool IsLockedOut(DateTime nowUtc) => LockedUntil is { } until && until > nowUtc;

    public void SetPasswordHash(string hash)
    {
        PasswordHash = hash;
        FailedSignIns = 0;
        LockedUntil = null;
    }

    /// <summary>Counts a wrong password; the <paramref name="maxFailures"/>th in a row locks the account for <paramref name="lockout"/>.</summary>
    public void RecordFailedSignIn(DateTime nowUtc, int maxFailures, TimeSpan lockout)
    {
        FailedSignIns++;
        if (FailedSignIns >= maxFailures)
        {
            LockedUntil = nowUtc + lockout;
            FailedSignIns = 0;
        }
    }

    /// <summary>Another unit or role; they act as it from their next request.</summary>
    public void Assign(string role, long unitId)
    {
        Role = role;
        UnitId = unitId;
    }

    public void Deactivate() => Active = false;

    public void Reactivate()
    {
        Active = true;
        FailedSignIns = 0;
        LockedUntil = null;
    }

    public void RecordSignIn()
    {
        FailedSignIns = 0;
        LockedUntil = null;
    }
}
