namespace Mediation.Domain.Org;

/// <summary>The kinds of unit in a street's mediation network; a workflow level names the kind that works at it.</summary>
public static class OrgUnitKind
{
    public const string StreetCenter = "streetCenter";
    public const string DistrictStation = "districtStation";
    public const string VillagePoint = "villagePoint";

    public static readonly IReadOnlyList<string> All = [StreetCenter, DistrictStation, VillagePoint];

    /// <summary>
    /// A county body (县信访局, 县司法局, the county's administration): a root of its own beside the streets, never
    /// a level of the workflow, holding no case.
    /// </summary>
    public const string CountyOffice = "countyOffice";
}

/// <summary>
/// A mediation body in the 1+9+N tree: the street center, a district station, or a village point.
/// <see cref="Path"/> is the materialized path of ids ("/1/4/17/") so a subtree is one index range.
/// </summary>
public sealed class OrgUnit
{
    private OrgUnit()
    {
        Code = Name = Kind = Path = "";
    }

    public OrgUnit(long id, string code, string name, string kind, OrgUnit? parent)
    {
        if (!OrgUnitKind.All.Contains(kind) && kind != OrgUnitKind.CountyOffice)
            throw new ArgumentException($"Unknown unit kind '{kind}'.", nameof(kind));
        Id = id;
        Code = code;
        Name = name;
        Kind = kind;
        ParentId = parent?.Id;
        Path = (parent?.Path ?? "/") + id + "/";
    }

    public long Id { get; private set; }
    public string Code { get; private set; }
    public string Name { get; private set; }
    public string Kind { get; private set; }
    public long? ParentId { get; private set; }
    public string Path { get; private set; }

    /// <summary>The id of the tree's root (the street center) read off the path.</summary>
    public long RootId => long.Parse(Path.AsSpan(1, Path.IndexOf('/', 1) - 1), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A street is a root of the tree: its street center. County offices are roots too, but no street.</summary>
    public bool IsStreet => ParentId is null && Kind == OrgUnitKind.StreetCenter;

    public void Rename(string name) => Name = name;
}
