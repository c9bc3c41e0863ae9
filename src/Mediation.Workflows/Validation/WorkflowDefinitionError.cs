namespace Mediation.Workflows.Validation;

/// <summary>The rules a definition file is checked against; each error names one.</summary>
public enum WorkflowRule
{
    InvalidJson,
    MissingField,
    InvalidValue,
    DuplicateId,
    DuplicateVersion,
    UnknownState,
    UnknownLevel,
    UnknownRole,
    TransitionToNowhere,
    UnreachableState,
    NeverEndingCycle,
    LevelWithoutTimeLimit,
    NoRegistration,
    InvalidEscalation,

    // An action the product has no command for with inputs or an effect, or a known one declared unlike its command.
    ActionCannotFire,
    ReservedAction,
    OutOfRange,
    UnknownUnitKind,
    UnknownRiskLevel,
    MissingCalendar,
}

/// <summary>One broken rule, located by file and JSON path (e.g. <c>$.transitions[3].to</c>).</summary>
public sealed record WorkflowDefinitionError(string File, string JsonPath, WorkflowRule Rule, string Message)
{
    public override string ToString() => $"{File}: {JsonPath}: {Rule}: {Message}";
}

/// <summary>Thrown at start-up when any definition is invalid; the product must not run on a broken definition.</summary>
public sealed class WorkflowDefinitionException : Exception
{
    public WorkflowDefinitionException(IReadOnlyList<WorkflowDefinitionError> errors)
        : base("Invalid workflow definition:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public WorkflowDefinitionException()
        : this([])
    {
    }

    public WorkflowDefinitionException(string message)
        : base(message)
    {
        Errors = [];
    }

    public WorkflowDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<WorkflowDefinitionError> Errors { get; }
}
