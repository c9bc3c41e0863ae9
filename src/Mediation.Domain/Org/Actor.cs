namespace Mediation.Domain.Org;

/// <summary>Who is acting, from where: every command and query is judged against this.</summary>
public sealed record Actor(long StaffId, string DisplayName, string Role, long UnitId, string UnitPath)
{
    public static class Roles
    {
        public const string VillageMediator = "villageMediator";
        public const string StationMediator = "stationMediator";
        public const string CenterMediator = "centerMediator";
        public const string CenterDirector = "centerDirector";
        public const string GridWorker = "gridWorker";
        public const string PetitionOffice = "petitionOffice";
        public const string Administrator = "administrator";

        /// <summary>The product itself, acting when a time limit passes.</summary>
        public const string System = "system";
    }

    /// <summary>The product acting on a case held by a unit (a deadline passing).</summary>
    public static Actor SystemAt(long unitId, string unitPath) => new(0, "系统", Roles.System, unitId, unitPath);

    /// <summary>
    /// The subtree whose cases this actor may read: a unit sees its own cases and those of the units below it;
    /// the petition office reads street-wide; administrators configure and read no case.
    /// </summary>
    public string? ReadScopePath => Role switch
    {
        Roles.Administrator => null,
        Roles.PetitionOffice => "/" + UnitPath.Split('/', StringSplitOptions.RemoveEmptyEntries)[0] + "/",
        _ => UnitPath,
    };

    public bool MayRead(string caseUnitPath) => ReadScopePath is { } scope && caseUnitPath.StartsWith(scope, StringComparison.Ordinal);

    /// <summary>Only the unit that holds a case acts on it; units above read it and take it when it is handed up.</summary>
    public bool MayActOn(long caseUnitId) => caseUnitId == UnitId && Role is not (Roles.PetitionOffice or Roles.Administrator);
}
