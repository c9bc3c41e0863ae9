using System.Text.Json.Serialization;

namespace Mediation.Workflows.Loading;

// The JSON shape of a definition file, every field optional so that the validator, not the
// deserializer, decides what is missing and can name the JSON path of each problem.
internal sealed class WorkflowDocument
{
    [JsonPropertyName("$schema")]
    public string? Schema { get; set; }
    public string? Key { get; set; }
    public int? Version { get; set; }
    public TextDocument? Title { get; set; }
    public List<RoleDocument>? Roles { get; set; }
    public List<LevelDocument>? Levels { get; set; }
    public List<StateDocument>? States { get; set; }
    public List<TransitionDocument>? Transitions { get; set; }
    public MajorDisputeDocument? MajorDispute { get; set; }
    public List<FollowUpDocument>? FollowUps { get; set; }
    public ClockDocument? Clock { get; set; }
}

internal sealed class ClockDocument
{
    public int? ProgressNoticeEveryDays { get; set; }
    public List<string>? SuspendRoles { get; set; }
}

internal sealed class TextDocument
{
    public string? Zh { get; set; }
    public string? En { get; set; }
}

internal sealed class RoleDocument
{
    public string? Id { get; set; }
    public TextDocument? Title { get; set; }
}

internal sealed class LevelDocument
{
    public string? Id { get; set; }
    public TextDocument? Title { get; set; }
    public string? UnitKind { get; set; }
    public TimeLimitDocument? TimeLimit { get; set; }
    public string? OnExpiry { get; set; }
    public string? EscalatesTo { get; set; }
    public TimeLimitDocument? AcceptWithin { get; set; }
}

internal sealed class TimeLimitDocument
{
    public int? Days { get; set; }
    public string? Counting { get; set; }
}

internal sealed class StateDocument
{
    public string? Id { get; set; }
    public TextDocument? Title { get; set; }
    public bool Final { get; set; }
    public bool ClockRuns { get; set; }
    public string? Outcome { get; set; }
}

internal sealed class TransitionDocument
{
    public string? Action { get; set; }
    public TextDocument? Title { get; set; }
    public List<string>? From { get; set; }
    public string? To { get; set; }
    public List<string>? Roles { get; set; }
    public List<string>? Levels { get; set; }
    public string? Effect { get; set; }
    public List<string>? Requires { get; set; }
}

internal sealed class MajorDisputeDocument
{
    public int? MinParties { get; set; }
    public decimal? MinAmount { get; set; }
    public List<string>? RiskLevels { get; set; }
    public string? StartLevel { get; set; }
    public List<string>? Notify { get; set; }
}

internal sealed class FollowUpDocument
{
    public string? WhenState { get; set; }
    public List<string>? Outcomes { get; set; }
    public List<int>? AfterDays { get; set; }
    public bool OnAgreementDueDates { get; set; }
    public int? GraceDays { get; set; }
    public bool? ReopenOnUnsatisfied { get; set; }
}
