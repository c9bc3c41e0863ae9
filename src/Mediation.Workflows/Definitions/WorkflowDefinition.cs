namespace Mediation.Workflows.Definitions;

/// <summary>
/// One published version of a workflow: the levels a case climbs, its states, the actions that move it,
/// who may fire them, time limits, the major-dispute rule and the follow-up schedule. Immutable once loaded.
/// </summary>
public sealed class WorkflowDefinition
{
    private readonly Dictionary<string, LevelDefinition> _levels;
    private readonly Dictionary<string, StateDefinition> _states;
    private readonly Dictionary<string, RoleDefinition> _roles;

    public WorkflowDefinition(
        string key,
        int version,
        LocalizedText title,
        IReadOnlyList<RoleDefinition> roles,
        IReadOnlyList<LevelDefinition> levels,
        IReadOnlyList<StateDefinition> states,
        IReadOnlyList<TransitionDefinition> transitions,
        MajorDisputeRule majorDispute,
        IReadOnlyList<FollowUpRule> followUps,
        ClockRules clock,
        string sourceFile)
    {
        Key = key;
        Version = version;
        Title = title;
        Roles = roles;
        Levels = levels;
        States = states;
        Transitions = transitions;
        MajorDispute = majorDispute;
        FollowUps = followUps;
        Clock = clock;
        SourceFile = sourceFile;
        _levels = levels.ToDictionary(l => l.Id, StringComparer.Ordinal);
        _states = states.ToDictionary(s => s.Id, StringComparer.Ordinal);
        _roles = roles.ToDictionary(r => r.Id, StringComparer.Ordinal);
        Registration = transitions.Single(t => t.IsRegistration);
    }

    public string Key { get; }
    public int Version { get; }
    public LocalizedText Title { get; }
    public IReadOnlyList<RoleDefinition> Roles { get; }

    /// <summary>Levels from the lowest (where disputes are registered) to the highest.</summary>
    public IReadOnlyList<LevelDefinition> Levels { get; }
    public IReadOnlyList<StateDefinition> States { get; }
    public IReadOnlyList<TransitionDefinition> Transitions { get; }
    public MajorDisputeRule MajorDispute { get; }
    public IReadOnlyList<FollowUpRule> FollowUps { get; }

    /// <summary>Progress notices to the applicant and who may suspend a case's clock.</summary>
    public ClockRules Clock { get; }
    public string SourceFile { get; }

    /// <summary>SHA-256 of the file's JSON with whitespace and comments taken out: what a running case's rules are.</summary>
    public string ContentSha256 { get; internal set; } = "";

    /// <summary>The transition that creates a case; it has no source state.</summary>
    public TransitionDefinition Registration { get; }

    public StateDefinition InitialState => State(Registration.To);

    public LevelDefinition Level(string id) =>
        _levels.TryGetValue(id, out var level) ? level : throw new KeyNotFoundException($"Workflow {Key} v{Version} has no level '{id}'.");

    public StateDefinition State(string id) =>
        _states.TryGetValue(id, out var state) ? state : throw new KeyNotFoundException($"Workflow {Key} v{Version} has no state '{id}'.");

    public RoleDefinition Role(string id) =>
        _roles.TryGetValue(id, out var role) ? role : throw new KeyNotFoundException($"Workflow {Key} v{Version} has no role '{id}'.");

    public bool HasRole(string id) => _roles.ContainsKey(id);

    public LevelDefinition? LevelForUnitKind(string unitKind) =>
        Levels.FirstOrDefault(l => string.Equals(l.UnitKind, unitKind, StringComparison.Ordinal));

    /// <summary>The level a case is handed to when it escalates from <paramref name="levelId"/>, or null at the top.</summary>
    public LevelDefinition? LevelAbove(string levelId)
    {
        var escalatesTo = Level(levelId).EscalatesTo;
        return escalatesTo is null ? null : Level(escalatesTo);
    }

    /// <summary>
    /// The transitions that exist from this state at this level, before asking who fires them.
    /// An escalation is available only where the level has a level above it.
    /// </summary>
    public IEnumerable<TransitionDefinition> TransitionsFrom(string state, string level) =>
        Transitions.Where(t =>
            !t.IsRegistration
            && t.From.Contains(state, StringComparer.Ordinal)
            && (t.Levels.Count == 0 || t.Levels.Contains(level, StringComparer.Ordinal))
            && (t.Effect != TransitionEffect.Escalate || Level(level).EscalatesTo is not null));

    /// <summary>The actions a holder of <paramref name="role"/> may take on a case in this state and level.</summary>
    public IReadOnlyList<string> AllowedActions(string state, string level, string role) =>
        TransitionsFrom(state, level).Where(t => t.AllowsRole(role)).Select(t => t.Action).ToList();

    public override string ToString() => $"{Key} v{Version}";
}

public sealed record LocalizedText(string Zh, string En);

public sealed record RoleDefinition(string Id, LocalizedText Title);

/// <summary>A rung of the network (village point, district station, street center) and its clock.</summary>
public sealed record LevelDefinition(
    string Id,
    LocalizedText Title,
    string UnitKind,
    TimeLimit TimeLimit,
    ExpiryAction OnExpiry,
    string? EscalatesTo,
    TimeLimit? AcceptWithin = null);

public enum ExpiryAction
{
    /// <summary>The case is handed up to the level above when its time limit passes.</summary>
    Escalate,

    /// <summary>The case is flagged overdue and its owner and supervisor are reminded.</summary>
    FlagOverdue,
}

public enum DayCounting
{
    CalendarDays,
    WorkingDays,
}

public sealed record TimeLimit(int Days, DayCounting Counting);

public sealed record StateDefinition(
    string Id,
    LocalizedText Title,
    bool IsFinal,
    bool ClockRuns,
    string? Outcome);

public enum TransitionEffect
{
    None,

    /// <summary>The case moves to the parent unit one level up.</summary>
    Escalate,
}

/// <summary>What a command must carry for the transition to be fired.</summary>
public enum RequiredInput
{
    Reason,
    Session,
    Agreement,
    Referral,
    ClosingFeedback,
}

public sealed record TransitionDefinition(
    string Action,
    LocalizedText Title,
    IReadOnlyList<string> From,
    string To,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Levels,
    TransitionEffect Effect,
    IReadOnlyList<RequiredInput> Requires)
{
    public bool IsRegistration => From.Count == 0;

    public bool AllowsRole(string role) => Roles.Contains(role, StringComparer.Ordinal);

    public bool Needs(RequiredInput input) => Requires.Contains(input);
}

/// <summary>
/// The reporting rule (报告制度): a dispute that meets any threshold starts at <see cref="StartLevel"/>
/// and the listed roles of the street are told at once.
/// </summary>
public sealed record MajorDisputeRule(
    int MinParties,
    decimal MinAmount,
    IReadOnlyList<string> RiskLevels,
    string StartLevel,
    IReadOnlyList<string> Notify)
{
    public bool IsMetBy(int partyCount, decimal? amount, string riskLevel) =>
        partyCount >= MinParties
        || (amount is { } sum && sum >= MinAmount)
        || RiskLevels.Contains(riskLevel, StringComparer.Ordinal);
}

/// <summary>
/// Follow-up visits (回访) due after a case enters <see cref="WhenState"/> with one of the outcomes: some days after,
/// and on each due date of the agreement. A visit not recorded <see cref="GraceDays"/> after it fell due becomes a
/// supervision item for the unit above; an unsatisfied or unperformed result reopens the case when <see cref="ReopenOnUnsatisfied"/>.
/// </summary>
public sealed record FollowUpRule(
    string WhenState,
    IReadOnlyList<string> Outcomes,
    IReadOnlyList<int> AfterDays,
    bool OnAgreementDueDates,
    int GraceDays = 3,
    bool ReopenOnUnsatisfied = true);

/// <summary>
/// 首问负责: while a case is open its owner is reminded every <see cref="ProgressNoticeEveryDays"/> days to tell the
/// applicant how it goes (none when null). <see cref="SuspendRoles"/> may stop a level's clock (a party unreachable,
/// an appraisal awaited).
/// </summary>
public sealed record ClockRules(int? ProgressNoticeEveryDays, IReadOnlyList<string> SuspendRoles)
{
    public static readonly ClockRules None = new(null, []);
}
