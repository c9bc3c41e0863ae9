using Mediation.Workflows.Definitions;

namespace Mediation.Workflows.Actions;

/// <summary>
/// What firing an action takes: the command that fires it, the API path it is posted to, the inputs that command
/// carries and the effect it has. A definition may name only actions whose inputs and effect agree with this.
/// </summary>
public sealed record ActionSpec(string Name, string Command, string ApiPath, IReadOnlyList<RequiredInput> Inputs, TransitionEffect Effect)
{
    /// <summary>An action the code has no command of its own for: fired through TakeAction, with a note and nothing else.</summary>
    public bool IsGeneric => Command == CaseActions.TakeActionCommand;
}

/// <summary>The one table of case actions, read by the validator, the API, the case page and the reports.</summary>
public static class CaseActions
{
    public const string Register = "register";
    public const string Accept = "accept";
    public const string Decline = "decline";
    public const string RecordSession = "recordSession";
    public const string Resolve = "resolve";
    public const string RecordFailure = "recordFailure";
    public const string Escalate = "escalate";
    public const string ReferOut = "referOut";
    public const string Withdraw = "withdraw";
    public const string Close = "close";
    public const string Reopen = "reopen";

    // Written to a case's history by the product itself, never fired from a definition's transition.
    public const string Suspend = "suspend";
    public const string Resume = "resume";
    public const string RecordFollowUp = "recordFollowUp";
    public const string EscalateOnExpiry = "escalateOnExpiry";
    public const string Migrated = "migrated";

    public const string TakeActionCommand = "TakeAction";

    public static readonly IReadOnlyList<ActionSpec> Known =
    [
        new(Register, "RegisterCase", "", [], TransitionEffect.None),
        new(Accept, "AcceptCase", "accept", [], TransitionEffect.None),
        new(Decline, "DeclineCase", "decline", [RequiredInput.Reason], TransitionEffect.None),
        new(RecordSession, "RecordSession", "sessions", [RequiredInput.Session], TransitionEffect.None),
        new(Resolve, "ResolveCase", "resolve", [RequiredInput.Agreement], TransitionEffect.None),
        new(RecordFailure, "RecordFailure", "failure", [RequiredInput.Reason], TransitionEffect.None),
        new(Escalate, "EscalateCase", "escalate", [RequiredInput.Reason], TransitionEffect.Escalate),
        new(ReferOut, "ReferOut", "refer", [RequiredInput.Referral], TransitionEffect.None),
        new(Withdraw, "WithdrawCase", "withdraw", [RequiredInput.Reason], TransitionEffect.None),
        new(Close, "CloseCase", "close", [RequiredInput.ClosingFeedback], TransitionEffect.None),
        new(Reopen, "ReopenCase", "reopen", [RequiredInput.Reason], TransitionEffect.None),
    ];

    /// <summary>History entries the product writes on its own; a definition may not reuse these names.</summary>
    public static readonly IReadOnlyList<string> Reserved = [Suspend, Resume, RecordFollowUp, EscalateOnExpiry, Migrated];

    public static readonly IReadOnlyList<string> EscalationActions = [Escalate, EscalateOnExpiry];

    private static readonly Dictionary<string, ActionSpec> ByName = Known.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>The known action, or a generic one (TakeAction, no inputs, no effect) for any other name.</summary>
    public static ActionSpec For(string action) =>
        ByName.TryGetValue(action, out var spec) ? spec : new ActionSpec(action, TakeActionCommand, "actions", [], TransitionEffect.None);

    public static bool IsKnown(string action) => ByName.ContainsKey(action);
}
