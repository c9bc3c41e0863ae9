namespace Mediation.Workflows.Definitions;

/// <summary>
/// Names a definition refers to that the product, not the definition, defines. Kept here because this project
/// cannot see the domain; a test ties each list to the domain's own.
/// </summary>
public static class KnownNames
{
    public static readonly IReadOnlyList<string> UnitKinds = ["streetCenter", "districtStation", "villagePoint"];

    public static readonly IReadOnlyList<string> RiskLevels = ["low", "medium", "high"];
}
