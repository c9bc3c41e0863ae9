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
}
