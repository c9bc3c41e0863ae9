namespace Mediation.Workflows.Migrations;

/// <summary>How a running case's level deadline is set when it moves to the new version.</summary>
public enum DeadlineRule
{
    /// <summary>The deadline the case had stays as it was.</summary>
    KeepDeadline,

    /// <summary>The new level's limit counted from when the case entered its level: the time already spent counts.</summary>
    RecomputeFromTimeSpent,
}

/// <summary>What happens to a pending timer that means nothing in the mapped state (the clock stops there, or it is no longer awaiting acceptance).</summary>
public enum LostTimerRule
{
    /// <summary>The file is refused at start-up, naming each state where a timer would lose its meaning.</summary>
    Refuse,

    /// <summary>The timer is skipped, with the migration named as the reason.</summary>
    Drop,
}

/// <summary>
/// A validated migration file: moves the cases pinned to (key, from) onto (key, to), each old state and level to a
/// new one. Built only by <see cref="MigrationLoader"/> against the loaded definitions, so every name in it exists.
/// </summary>
public sealed class WorkflowMigration
{
    private readonly IReadOnlyDictionary<string, DeadlineRule> _levelDeadlines;

    internal WorkflowMigration(string id, string file, string workflowKey, int fromVersion, int toVersion,
        IReadOnlyDictionary<string, string> states, IReadOnlyDictionary<string, string> levels,
        DeadlineRule deadline, IReadOnlyDictionary<string, DeadlineRule> levelDeadlines, LostTimerRule lostTimers)
    {
        Id = id;
        File = file;
        WorkflowKey = workflowKey;
        FromVersion = fromVersion;
        ToVersion = toVersion;
        States = states;
        Levels = levels;
        Deadline = deadline;
        _levelDeadlines = levelDeadlines;
        LostTimers = lostTimers;
    }

    /// <summary>The file name without <c>.migration.json</c>: how the page, the API and the CLI name it.</summary>
    public string Id { get; }
    public string File { get; }
    public string WorkflowKey { get; }
    public int FromVersion { get; }
    public int ToVersion { get; }

    /// <summary>Every state of the source version, to its state in the target.</summary>
    public IReadOnlyDictionary<string, string> States { get; }

    /// <summary>Every level of the source version, to its level in the target (unnamed ones map to themselves).</summary>
    public IReadOnlyDictionary<string, string> Levels { get; }
    public DeadlineRule Deadline { get; }
    public LostTimerRule LostTimers { get; }

    /// <summary>The deadline rule for a case at the given source level: the level's own, or the file's.</summary>
    public DeadlineRule DeadlineFor(string fromLevel) => _levelDeadlines.TryGetValue(fromLevel, out var rule) ? rule : Deadline;

    public override string ToString() => $"{WorkflowKey} v{FromVersion} → v{ToVersion} ({File})";
}

/// <summary>The rules a migration file is checked against; each error names one.</summary>
public enum MigrationRule
{
    InvalidJson,
    MissingField,
    InvalidValue,
    UnknownWorkflow,
    NotForward,
    DuplicateMigration,
    UnmappedState,
    UnknownState,
    UnmappedLevel,
    UnknownLevel,

    // A level mapped onto one worked by another kind of unit: the case's holding unit would not work there.
    LevelChangesUnitKind,

    // A state whose clock is stopped (settled, closed) mapped to one where it runs: no deadline could be told.
    ClockWouldStart,

    // A closed case mapped to a state that is not final would be reopened by a file, not by a mediator.
    ReopensClosedCases,
    TimerLosesMeaning,
}

/// <summary>One broken rule, located by file and JSON path (e.g. <c>$.states.mediating</c>).</summary>
public sealed record MigrationError(string File, string JsonPath, MigrationRule Rule, string Message)
{
    public override string ToString() => $"{File}: {JsonPath}: {Rule}: {Message}";
}

/// <summary>Thrown at start-up when a migration file is invalid; the product does not run with a file it could not apply.</summary>
public sealed class WorkflowMigrationException : Exception
{
    public WorkflowMigrationException(IReadOnlyList<MigrationError> errors)
        : base("Invalid workflow migration:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
    {
        Errors = errors;
    }

    public WorkflowMigrationException()
        : this([])
    {
    }

    public WorkflowMigrationException(string message)
        : base(message)
    {
        Errors = [];
    }

    public WorkflowMigrationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<MigrationError> Errors { get; }
}

/// <summary>The migration files found beside the definitions, all valid.</summary>
public sealed class MigrationCatalog(IReadOnlyList<WorkflowMigration> migrations)
{
    public static readonly MigrationCatalog Empty = new([]);

    public IReadOnlyList<WorkflowMigration> All { get; } = migrations;

    public WorkflowMigration? Find(string id) => All.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));
}
