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

        /// <summary>县信访局: reads every street's cases and compares the streets; acts on none.</summary>
        public const string CountyPetition = "countyPetition";

        /// <summary>县司法局: reads every street's cases and compares the streets; acts on none.</summary>
        public const string CountyJustice = "countyJustice";

        /// <summary>The county's roles: they work in a county office, outside every street's tree, and only read.</summary>
        public static readonly IReadOnlyList<string> County = [CountyPetition, CountyJustice];

        /// <summary>The product itself, acting when a time limit passes.</summary>
        public const string System = "system";
    }

    /// <summary>The product acting on a case held by a unit (a deadline passing).</summary>
    public static Actor SystemAt(long unitId, string unitPath) => new(0, "系统", Roles.System, unitId, unitPath);

    /// <summary>The root of the actor's tree: their street's center, or the county office they work in.</summary>
    public string StreetPath => "/" + UnitPath.Split('/', StringSplitOptions.RemoveEmptyEntries)[0] + "/";

    /// <summary>Whether the actor reads across streets (县信访局, 县司法局).</summary>
    public bool IsCounty => Roles.County.Contains(Role);

    /// <summary>
    /// The subtree whose cases this actor may read: a unit sees its own cases and those of the units below it;
    /// the petition office reads its street; the county roles read every street; administrators read no case.
    /// </summary>
    public string? ReadScopePath => Role switch
    {
        Roles.Administrator => null,
        Roles.PetitionOffice => StreetPath,
        Roles.CountyPetition or Roles.CountyJustice => "/",
        _ => UnitPath,
    };

    public bool MayRead(string caseUnitPath) => ReadScopePath is { } scope && caseUnitPath.StartsWith(scope, StringComparison.Ordinal);

    /// <summary>Only the unit that holds a case acts on it; units above read it and take it when it is handed up.</summary>
    public bool MayActOn(long caseUnitId) => caseUnitId == UnitId && Role is not (Roles.PetitionOffice or Roles.Administrator) && !IsCounty;
}
