namespace Mediation.Workflows.Engine;

/// <summary>Why the engine will not fire a transition; the domain turns each into its own error.</summary>
public enum RefusalReason
{
    /// <summary>The case is pinned to another definition version.</summary>
    OtherDefinition,

    /// <summary>The case changed since the asker read it.</summary>
    StaleVersion,

    /// <summary>No such transition from this state at this level (or the clock cannot be stopped or started here).</summary>
    NotFromHere,

    RoleNotAllowed,

    /// <summary>The transition requires an input the command does not carry.</summary>
    MissingInput,
}

public sealed record TransitionRefusal(RefusalReason Reason, string Action);

/// <summary>The guard's answer: the transition to fire, or why not.</summary>
public sealed record GuardResult(Definitions.TransitionDefinition? Transition, TransitionRefusal? Refusal)
{
    public bool Allowed => Refusal is null;
}
