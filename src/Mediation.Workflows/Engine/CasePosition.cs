namespace Mediation.Workflows.Engine;

/// <summary>
/// Where a case stands as far as its workflow is concerned: the definition it is pinned to, its state, level and
/// the level's clock. The engine reads one and answers the next; it never sees parties, units or agreements.
/// </summary>
public sealed record CasePosition(
    string WorkflowKey,
    int WorkflowVersion,
    int Version,
    string State,
    string Level,
    string? Outcome,
    DateTime LevelEnteredAt,
    DateTime? DeadlineAt,
    DateTime? SuspendedAt,
    int? PausedMinutes)
{
    public bool IsSuspended => SuspendedAt is not null;
}

/// <summary>What is asked of the engine: fire this action, as this role, on the version the asker read, carrying these inputs.</summary>
public sealed record TransitionRequest(string Action, string Role, int ExpectedVersion, IReadOnlyCollection<Definitions.RequiredInput> Inputs);

/// <summary>The position after a step and what happened on the way, in the order it happened.</summary>
public sealed record WorkflowStep(CasePosition Position, IReadOnlyList<WorkflowEvent> Events);
