using Mediation.Workflows.Actions;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Loading;

namespace Mediation.Workflows.Validation;

/// <summary>
/// Checks a parsed definition document against every rule and, when none is broken, builds the runtime model.
/// All errors are collected so an administrator fixes a file in one pass rather than one error per start.
/// </summary>
internal sealed class DefinitionValidator
{
    private static readonly string[] ExpiryActions = ["escalate", "flagOverdue"];
    private static readonly string[] Countings = ["calendarDays", "workingDays"];
    private static readonly string[] Effects = ["none", "escalate"];
    private static readonly string[] Inputs = ["reason", "session", "agreement", "referral", "closingFeedback"];

    private readonly string _file;
    private readonly List<WorkflowDefinitionError> _errors = [];

    private DefinitionValidator(string file) => _file = file;

    public static (WorkflowDefinition? Definition, IReadOnlyList<WorkflowDefinitionError> Errors) Validate(WorkflowDocument doc, string file)
    {
        var validator = new DefinitionValidator(file);
        var definition = validator.Run(doc);
        return (validator._errors.Count == 0 ? definition : null, validator._errors);
    }

    private void Error(string path, WorkflowRule rule, string message) => _errors.Add(new(_file, path, rule, message));

    private WorkflowDefinition? Run(WorkflowDocument doc)
    {
        if (string.IsNullOrWhiteSpace(doc.Key))
            Error("$.key", WorkflowRule.MissingField, "a workflow needs a key");
        if (doc.Version is null)
            Error("$.version", WorkflowRule.MissingField, "a workflow needs a version");
        else if (doc.Version < 1)
            Error("$.version", WorkflowRule.InvalidValue, $"version must be 1 or more, not {doc.Version}");
        else
            Bounded(doc.Version, DefinitionBounds.Version, "$.version", "version");

        var title = Text(doc.Title, "$.title");
        var roles = Roles(doc.Roles ?? []);
        if (doc.Roles is null)
            Error("$.roles", WorkflowRule.MissingField, "a workflow needs roles");
        var roleIds = roles.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);

        var states = States(doc.States ?? []);
        if (doc.States is null or { Count: 0 })
            Error("$.states", WorkflowRule.MissingField, "a workflow needs states");
        var stateIds = states.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

        var levels = Levels(doc.Levels ?? []);
        if (doc.Levels is null or { Count: 0 })
            Error("$.levels", WorkflowRule.MissingField, "a workflow needs at least one level");
        var levelIds = levels.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);

        var transitions = Transitions(doc.Transitions ?? [], stateIds, levelIds, roleIds);
        if (doc.Transitions is null)
            Error("$.transitions", WorkflowRule.MissingField, "a workflow needs transitions");

        var major = MajorDispute(doc.MajorDispute, levelIds, roleIds);
        var followUps = FollowUps(doc.FollowUps ?? [], stateIds);
        var clock = Clock(doc.Clock, roleIds);

        CheckGraph(states, transitions);

        if (_errors.Count > 0)
            return null;
        return new WorkflowDefinition(doc.Key!, doc.Version!.Value, title, roles, levels, states, transitions, major, followUps, clock, _file);
    }

    private LocalizedText Text(TextDocument? text, string path)
    {
        if (text is null)
        {
            Error(path, WorkflowRule.MissingField, "a title needs zh and en text");
            return new("", "");
        }
        if (string.IsNullOrWhiteSpace(text.Zh))
            Error(path + ".zh", WorkflowRule.MissingField, "Chinese text is required: the screens speak Chinese");
        if (string.IsNullOrWhiteSpace(text.En))
            Error(path + ".en", WorkflowRule.MissingField, "English text is required for the English switch");
        return new(text.Zh ?? "", text.En ?? "");
    }

    private string Id(string? id, string path, HashSet<string> seen, string what)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            Error(path, WorkflowRule.MissingField, $"every {what} needs an id");
            return "";
        }
        if (!seen.Add(id))
            Error(path, WorkflowRule.DuplicateId, $"{what} id '{id}' is used more than once");
        return id;
    }

    private List<RoleDefinition> Roles(List<RoleDocument> docs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return docs.Select((r, i) => new RoleDefinition(Id(r.Id, $"$.roles[{i}].id", seen, "role"), Text(r.Title, $"$.roles[{i}].title"))).ToList();
    }

    private List<StateDefinition> States(List<StateDocument> docs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var states = docs.Select((s, i) => new StateDefinition(
            Id(s.Id, $"$.states[{i}].id", seen, "state"),
            Text(s.Title, $"$.states[{i}].title"),
            s.Final,
            s.ClockRuns,
            string.IsNullOrWhiteSpace(s.Outcome) ? null : s.Outcome)).ToList();
        if (docs.Count > 0 && !states.Any(s => s.IsFinal))
            Error("$.states", WorkflowRule.NeverEndingCycle, "no state is final, so no case can ever end");
        return states;
    }

    private List<LevelDefinition> Levels(List<LevelDocument> docs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var levels = new List<LevelDefinition>();
        for (var i = 0; i < docs.Count; i++)
        {
            var doc = docs[i];
            var path = $"$.levels[{i}]";
            var id = Id(doc.Id, path + ".id", seen, "level");
            if (string.IsNullOrWhiteSpace(doc.UnitKind))
                Error(path + ".unitKind", WorkflowRule.MissingField, $"level '{id}' must name the kind of org unit that works at it");
            else if (!KnownNames.UnitKinds.Contains(doc.UnitKind, StringComparer.Ordinal))
                Error(path + ".unitKind", WorkflowRule.UnknownUnitKind, $"level '{id}' names unit kind '{doc.UnitKind}', which the org tree does not have; one of: {string.Join(", ", KnownNames.UnitKinds)}");

            var limit = new TimeLimit(0, DayCounting.CalendarDays);
            if (doc.TimeLimit?.Days is null)
                Error(path + ".timeLimit", WorkflowRule.LevelWithoutTimeLimit, $"level '{id}' has no time limit: every level must conclude mediation within a set number of days");
            else if (doc.TimeLimit.Days <= 0)
                Error(path + ".timeLimit.days", WorkflowRule.InvalidValue, $"level '{id}' time limit must be at least one day, not {doc.TimeLimit.Days}");
            else if (Bounded(doc.TimeLimit.Days, DefinitionBounds.TimeLimitDays, path + ".timeLimit.days", $"level '{id}' time limit (days)"))
                limit = new TimeLimit(doc.TimeLimit.Days.Value, OneOf(doc.TimeLimit.Counting ?? "calendarDays", Countings, path + ".timeLimit.counting") == "workingDays" ? DayCounting.WorkingDays : DayCounting.CalendarDays);

            var expiry = OneOf(doc.OnExpiry ?? "flagOverdue", ExpiryActions, path + ".onExpiry") == "escalate" ? ExpiryAction.Escalate : ExpiryAction.FlagOverdue;
            TimeLimit? acceptWithin = null;
            if (doc.AcceptWithin is { } accept)
            {
                if (accept.Days is null or <= 0)
                    Error(path + ".acceptWithin.days", WorkflowRule.InvalidValue, $"level '{id}' must allow at least one day to accept a case");
                else if (Bounded(accept.Days, DefinitionBounds.AcceptWithinDays, path + ".acceptWithin.days", $"level '{id}' acceptWithin (days)"))
                    acceptWithin = new TimeLimit(accept.Days.Value, OneOf(accept.Counting ?? "calendarDays", Countings, path + ".acceptWithin.counting") == "workingDays" ? DayCounting.WorkingDays : DayCounting.CalendarDays);
            }
            levels.Add(new LevelDefinition(id, Text(doc.Title, path + ".title"), doc.UnitKind ?? "", limit, expiry, string.IsNullOrWhiteSpace(doc.EscalatesTo) ? null : doc.EscalatesTo, acceptWithin));
        }

        // A case only ever climbs: each level escalates to one listed after it, so escalation always ends.
        for (var i = 0; i < levels.Count; i++)
        {
            var level = levels[i];
            var path = $"$.levels[{i}]";
            if (level.EscalatesTo is { } target)
            {
                var targetIndex = levels.FindIndex(l => l.Id == target);
                if (targetIndex < 0)
                    Error(path + ".escalatesTo", WorkflowRule.UnknownLevel, $"level '{level.Id}' escalates to unknown level '{target}'");
                else if (targetIndex <= i)
                    Error(path + ".escalatesTo", WorkflowRule.InvalidEscalation, $"level '{level.Id}' must escalate to a level listed above it, not to '{target}'");
            }
            else if (level.OnExpiry == ExpiryAction.Escalate)
            {
                Error(path + ".onExpiry", WorkflowRule.InvalidEscalation, $"level '{level.Id}' escalates on expiry but has no level above it (escalatesTo)");
            }
        }
        return levels;
    }

    private string OneOf(string value, string[] allowed, string path)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
            Error(path, WorkflowRule.InvalidValue, $"'{value}' is not one of: {string.Join(", ", allowed)}");
        return value;
    }

    private void CheckRefs(IEnumerable<string>? refs, HashSet<string> known, string path, WorkflowRule rule, string what)
    {
        var i = 0;
        foreach (var id in refs ?? [])
        {
            if (!known.Contains(id))
                Error($"{path}[{i}]", rule, $"unknown {what} '{id}'");
            i++;
        }
    }

    private List<TransitionDefinition> Transitions(List<TransitionDocument> docs, HashSet<string> states, HashSet<string> levels, HashSet<string> roles)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var transitions = new List<TransitionDefinition>();
        for (var i = 0; i < docs.Count; i++)
        {
            var doc = docs[i];
            var path = $"$.transitions[{i}]";
            var action = Id(doc.Action, path + ".action", seen, "action");
            CheckRefs(doc.From, states, path + ".from", WorkflowRule.UnknownState, "state");
            if (string.IsNullOrWhiteSpace(doc.To))
                Error(path + ".to", WorkflowRule.TransitionToNowhere, $"action '{action}' leads nowhere: it has no target state");
            else if (!states.Contains(doc.To))
                Error(path + ".to", WorkflowRule.TransitionToNowhere, $"action '{action}' leads to '{doc.To}', which is not a state");
            if (doc.Roles is null or { Count: 0 })
                Error(path + ".roles", WorkflowRule.MissingField, $"action '{action}' must say which roles may fire it");
            CheckRefs(doc.Roles, roles, path + ".roles", WorkflowRule.UnknownRole, "role");
            CheckRefs(doc.Levels, levels, path + ".levels", WorkflowRule.UnknownLevel, "level");

            var effect = OneOf(doc.Effect ?? "none", Effects, path + ".effect") == "escalate" ? TransitionEffect.Escalate : TransitionEffect.None;
            var requires = new List<RequiredInput>();
            for (var r = 0; r < (doc.Requires?.Count ?? 0); r++)
            {
                var input = OneOf(doc.Requires![r], Inputs, $"{path}.requires[{r}]");
                if (Enum.TryParse<RequiredInput>(input, ignoreCase: true, out var parsed))
                    requires.Add(parsed);
            }
            var transition = new TransitionDefinition(action, Text(doc.Title, path + ".title"), doc.From ?? [], doc.To ?? "", doc.Roles ?? [], doc.Levels ?? [], effect, requires);
            CheckFireable(transition, path);
            transitions.Add(transition);
        }

        var registrations = transitions.Where(t => t.IsRegistration).ToList();
        if (registrations.Count != 1)
            Error("$.transitions", WorkflowRule.NoRegistration, $"exactly one transition must have no 'from' (the registration that creates a case); found {registrations.Count}");
        return transitions;
    }

    // The definition names an action; the code must have a command that carries exactly what it requires.
    private void CheckFireable(TransitionDefinition transition, string path)
    {
        var action = transition.Action;
        if (action.Length == 0)
            return;
        if (CaseActions.Reserved.Contains(action, StringComparer.Ordinal))
        {
            Error(path + ".action", WorkflowRule.ReservedAction, $"'{action}' is written to a case's history by the product itself; name the action otherwise");
            return;
        }
        if (transition.IsRegistration)
        {
            if (action != CaseActions.Register && CaseActions.IsKnown(action))
                Error(path + ".action", WorkflowRule.ActionCannotFire, $"the registration (no 'from') is fired by RegisterCase; '{action}' is another command's action");
            if (transition.Requires.Count > 0 || transition.Effect != TransitionEffect.None)
                Error(path + ".requires", WorkflowRule.ActionCannotFire, "the registration is fired by RegisterCase, which carries the dispute's facts and nothing a 'requires' or 'effect' could add");
            return;
        }
        if (action == CaseActions.Register)
        {
            Error(path + ".action", WorkflowRule.ActionCannotFire, "'register' creates a case; a transition with a 'from' cannot be fired as it");
            return;
        }

        var spec = CaseActions.For(action);
        var sameInputs = spec.Inputs.Order().SequenceEqual(transition.Requires.Distinct().Order());
        if (sameInputs && spec.Effect == transition.Effect)
            return;
        var declared = $"requires [{Names(transition.Requires)}], effect {Name(transition.Effect)}";
        if (spec.IsGeneric)
        {
            var where = transition.Effect != TransitionEffect.None ? ".effect" : ".requires";
            Error(path + where, WorkflowRule.ActionCannotFire,
                $"action '{action}' is not one the product has a command for, so it is fired by TakeAction with a note only; it cannot have {declared}. Known actions: {string.Join(", ", CaseActions.Known.Skip(1).Select(a => a.Name))}");
        }
        else
        {
            var where = spec.Effect != transition.Effect ? ".effect" : ".requires";
            Error(path + where, WorkflowRule.ActionCannotFire,
                $"action '{action}' is fired by {spec.Command}, which provides requires [{Names(spec.Inputs)}], effect {Name(spec.Effect)}; the definition declares {declared}");
        }
    }

    private static string Names(IEnumerable<RequiredInput> inputs) => string.Join(", ", inputs.Select(i => char.ToLowerInvariant(i.ToString()[0]) + i.ToString()[1..]));

    private static string Name(TransitionEffect effect) => effect == TransitionEffect.Escalate ? "escalate" : "none";

    private bool Bounded(int? value, (int Min, int Max) bounds, string path, string what)
    {
        if (value is not { } v || (v >= bounds.Min && v <= bounds.Max))
            return true;
        Error(path, WorkflowRule.OutOfRange, $"{what} must be between {bounds.Min} and {bounds.Max}, not {v}");
        return false;
    }

    private MajorDisputeRule MajorDispute(MajorDisputeDocument? doc, HashSet<string> levels, HashSet<string> roles)
    {
        if (doc is null)
        {
            Error("$.majorDispute", WorkflowRule.MissingField, "the reporting rule for major disputes is required");
            return new(int.MaxValue, decimal.MaxValue, [], "", []);
        }
        if (doc.MinParties is null or < 2)
            Error("$.majorDispute.minParties", WorkflowRule.InvalidValue, "minParties must be 2 or more");
        else
            Bounded(doc.MinParties, DefinitionBounds.MinParties, "$.majorDispute.minParties", "minParties");
        if (doc.MinAmount is null or <= 0)
            Error("$.majorDispute.minAmount", WorkflowRule.InvalidValue, "minAmount must be a positive sum");
        else if (doc.MinAmount > DefinitionBounds.MaxAmount)
            Error("$.majorDispute.minAmount", WorkflowRule.OutOfRange, $"minAmount must be at most {DefinitionBounds.MaxAmount}, not {doc.MinAmount}");
        for (var r = 0; r < (doc.RiskLevels?.Count ?? 0); r++)
        {
            if (!KnownNames.RiskLevels.Contains(doc.RiskLevels![r], StringComparer.Ordinal))
                Error($"$.majorDispute.riskLevels[{r}]", WorkflowRule.UnknownRiskLevel, $"unknown risk level '{doc.RiskLevels[r]}'; one of: {string.Join(", ", KnownNames.RiskLevels)}");
        }
        if (string.IsNullOrWhiteSpace(doc.StartLevel))
            Error("$.majorDispute.startLevel", WorkflowRule.MissingField, "the level a major dispute starts at is required");
        else if (!levels.Contains(doc.StartLevel))
            Error("$.majorDispute.startLevel", WorkflowRule.UnknownLevel, $"unknown level '{doc.StartLevel}'");
        CheckRefs(doc.Notify, roles, "$.majorDispute.notify", WorkflowRule.UnknownRole, "role");
        return new(doc.MinParties ?? int.MaxValue, doc.MinAmount ?? decimal.MaxValue, doc.RiskLevels ?? [], doc.StartLevel ?? "", doc.Notify ?? []);
    }

    private List<FollowUpRule> FollowUps(List<FollowUpDocument> docs, HashSet<string> states)
    {
        var rules = new List<FollowUpRule>();
        for (var i = 0; i < docs.Count; i++)
        {
            var doc = docs[i];
            var path = $"$.followUps[{i}]";
            if (string.IsNullOrWhiteSpace(doc.WhenState))
                Error(path + ".whenState", WorkflowRule.MissingField, "a follow-up rule must say after which state visits fall due");
            else if (!states.Contains(doc.WhenState))
                Error(path + ".whenState", WorkflowRule.UnknownState, $"unknown state '{doc.WhenState}'");
            for (var d = 0; d < (doc.AfterDays?.Count ?? 0); d++)
            {
                if (doc.AfterDays![d] <= 0)
                    Error($"{path}.afterDays[{d}]", WorkflowRule.InvalidValue, "a follow-up falls at least one day after closing");
                else
                    Bounded(doc.AfterDays[d], DefinitionBounds.AfterDays, $"{path}.afterDays[{d}]", "a follow-up's afterDays");
            }
            if (doc.GraceDays is < 0)
                Error(path + ".graceDays", WorkflowRule.InvalidValue, "graceDays cannot be negative");
            else
                Bounded(doc.GraceDays, DefinitionBounds.GraceDays, path + ".graceDays", "graceDays");
            rules.Add(new FollowUpRule(doc.WhenState ?? "", doc.Outcomes ?? [], doc.AfterDays ?? [], doc.OnAgreementDueDates, doc.GraceDays ?? 3, doc.ReopenOnUnsatisfied ?? true));
        }
        return rules;
    }

    private ClockRules Clock(ClockDocument? doc, HashSet<string> roles)
    {
        if (doc is null)
            return ClockRules.None;
        if (doc.ProgressNoticeEveryDays is <= 0)
            Error("$.clock.progressNoticeEveryDays", WorkflowRule.InvalidValue, "progress notices fall at least one day apart");
        else
            Bounded(doc.ProgressNoticeEveryDays, DefinitionBounds.ProgressNoticeEveryDays, "$.clock.progressNoticeEveryDays", "progressNoticeEveryDays");
        CheckRefs(doc.SuspendRoles, roles, "$.clock.suspendRoles", WorkflowRule.UnknownRole, "role");
        return new ClockRules(doc.ProgressNoticeEveryDays, doc.SuspendRoles ?? []);
    }

    // Reachability from the registration's target, and that every state can still reach a final state:
    // a set of states with no way out would trap a case forever.
    private void CheckGraph(List<StateDefinition> states, List<TransitionDefinition> transitions)
    {
        var registration = transitions.Where(t => t.IsRegistration).ToList();
        if (registration.Count != 1 || states.Count == 0 || _errors.Any(e => e.Rule is WorkflowRule.UnknownState or WorkflowRule.TransitionToNowhere or WorkflowRule.DuplicateId))
            return;

        var edges = transitions.Where(t => !t.IsRegistration)
            .SelectMany(t => t.From.Select(from => (from, t.To)))
            .ToLookup(e => e.from, e => e.To, StringComparer.Ordinal);

        var reached = Closure([registration[0].To], s => edges[s]);
        for (var i = 0; i < states.Count; i++)
        {
            if (!reached.Contains(states[i].Id))
                Error($"$.states[{i}]", WorkflowRule.UnreachableState, $"state '{states[i].Id}' cannot be reached from registration");
        }

        var reverse = edges.SelectMany(g => g.Select(to => (from: g.Key, to))).ToLookup(e => e.to, e => e.from, StringComparer.Ordinal);
        var canEnd = Closure(states.Where(s => s.IsFinal).Select(s => s.Id), s => reverse[s]);
        for (var i = 0; i < states.Count; i++)
        {
            var state = states[i];
            if (canEnd.Contains(state.Id) || !reached.Contains(state.Id))
                continue;
            var trap = Closure([state.Id], s => edges[s]);
            Error($"$.states[{i}]", WorkflowRule.NeverEndingCycle,
                $"a case in state '{state.Id}' can never reach a final state (it is caught among: {string.Join(", ", trap.Order(StringComparer.Ordinal))})");
        }
    }

    private static HashSet<string> Closure(IEnumerable<string> start, Func<string, IEnumerable<string>> next)
    {
        var seen = new HashSet<string>(start, StringComparer.Ordinal);
        var queue = new Queue<string>(seen);
        while (queue.TryDequeue(out var current))
        {
            foreach (var n in next(current))
            {
                if (seen.Add(n))
                    queue.Enqueue(n);
            }
        }
        return seen;
    }
}
