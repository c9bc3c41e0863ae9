namespace Mediation.Domain.Cases;

/// <summary>来源: how the dispute reached the network.</summary>
public enum IntakeChannel
{
    WalkIn,
    Phone,
    Letter,
    Online,
    Hotline12345,
    GridDiscovery,
    DepartmentReferral,
}

/// <summary>纠纷类型.</summary>
public enum DisputeCategory
{
    Neighbour,
    MarriageFamily,
    PropertyService,
    LandHomestead,
    LabourWages,
    ContractDebt,
    Damages,
    LandAcquisitionDemolition,
    Other,
}

public enum RiskLevel
{
    Low,
    Medium,
    High,
}

/// <summary>Signs that a dispute may turn into a petition or worse.</summary>
[Flags]
public enum RiskSignals
{
    None = 0,

    /// <summary>越级上访苗头.</summary>
    LevelSkippingPetition = 1,

    /// <summary>集体上访苗头.</summary>
    CollectivePetition = 2,

    /// <summary>民转刑: a civil dispute at risk of turning violent.</summary>
    TurningViolent = 4,
}

public enum PartyRole
{
    Applicant,
    Respondent,
}

/// <summary>Where a case goes when it leaves the network.</summary>
public enum ReferralTarget
{
    Court,
    Police,
    Arbitration,
    Department,
}

public static class RiskLevelNames
{
    public static string Of(RiskLevel level) => level switch
    {
        RiskLevel.Low => "low",
        RiskLevel.Medium => "medium",
        _ => "high",
    };
}
