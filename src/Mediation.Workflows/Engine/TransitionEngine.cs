using Mediation.Workflows.Actions;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Time;

namespace Mediation.Workflows.Engine;

/// <summary>
/// Executes a definition's transitions on a case's position: the guard (may this role fire this action here, now?)
/// and the effect (target state, outcome, level, clock, deadlines), answered as a new position and the events that
/// happened. Pure: no clock of its own, no I/O; the case applies the answer and policies react to the events.
/// </summary>
public static class TransitionEngine
{
    public static GuardResult Guard(WorkflowDefinition definition, CasePosition position, TransitionRequest request)
    {
        if (definition.Key != position.WorkflowKey || definition.Version != position.WorkflowVersion)
            return Refuse(RefusalReason.OtherDefinition, request.Action);
        if (request.ExpectedVersion != position.Version)
            return Refuse(RefusalReason.StaleVersion, request.Action);
        var transition = definition.TransitionsFrom(position.State, position.Level).FirstOrDefault(t => t.Action == request.Action);
        if (transition is null)
            return Refuse(RefusalReason.NotFromHere, request.Action);
        if (!transition.AllowsRole(request.Role))
            return Refuse(RefusalReason.RoleNotAllowed, request.Action);
        if (transition.Requires.Any(input => !request.Inputs.Contains(input)))
            return Refuse(RefusalReason.MissingInput, request.Action);
        return new GuardResult(transition, null);
    }

    /// <summary>Registration: the case enters <paramref name="level"/> now and takes the definition's first state.</summary>
    public static WorkflowStep Start(WorkflowDefinition definition, WorkingDayCalendar calendar, LevelDefinition level, DateTime nowUtc)
    {
        var nowhere = new CasePosition(definition.Key, definition.Version, 0, "", level.Id, null, nowUtc, null, null, null);
        return Step(definition, calendar, nowhere, definition.Registration, level, nowUtc);
    }

    /// <summary>Fires a transition the guard allowed.</summary>
    public static WorkflowStep Fire(WorkflowDefinition definition, WorkingDayCalendar calendar, CasePosition position, TransitionDefinition transition, DateTime nowUtc)
    {
        var entering = transition.Effect == TransitionEffect.Escalate ? definition.LevelAbove(position.Level)
            : RestartsLevelClock(transition) ? definition.Level(position.Level)
            : null;
        return Step(definition, calendar, position, transition, entering, nowUtc);
    }

    /// <summary>
    /// The level's time limit has passed: the level the case is handed up to when its definition says so and there is
    /// one, else null (the case stays and is flagged overdue).
    /// </summary>
    public static LevelDefinition? EscalationOnExpiry(WorkflowDefinition definition, CasePosition position) =>
        definition.Level(position.Level).OnExpiry == ExpiryAction.Escalate ? definition.LevelAbove(position.Level) : null;

    /// <summary>Hands the case up one level because the time limit passed; it starts over in the first state there.</summary>
    public static WorkflowStep EscalateOnExpiry(WorkflowDefinition definition, WorkingDayCalendar calendar, CasePosition position, DateTime nowUtc)
    {
        var expiry = new TransitionDefinition(CaseActions.EscalateOnExpiry, new LocalizedText("时限届满自动上报", "Escalated when the time limit passed"),
            [], definition.InitialState.Id, [], [], TransitionEffect.Escalate, []);
        return Step(definition, calendar, position, expiry, definition.LevelAbove(position.Level), nowUtc);
    }

    /// <summary>Suspend and resume are not transitions: the definition names who may stop a level's clock, in states where it runs.</summary>
    public static TransitionRefusal? GuardClock(WorkflowDefinition definition, CasePosition position, TransitionRequest request)
    {
        if (request.ExpectedVersion != position.Version)
            return new(RefusalReason.StaleVersion, request.Action);
        if (!definition.Clock.SuspendRoles.Contains(request.Role, StringComparer.Ordinal))
            return new(RefusalReason.RoleNotAllowed, request.Action);
        var stoppable = definition.State(position.State).ClockRuns && request.Action switch
        {
            CaseActions.Suspend => !position.IsSuspended && position.DeadlineAt is not null,
            CaseActions.Resume => position.IsSuspended,
            _ => false,
        };
        return stoppable ? null : new(RefusalReason.NotFromHere, request.Action);
    }

    public static WorkflowStep Suspend(CasePosition position, DateTime nowUtc)
    {
        var remaining = LevelClock.RemainingMinutes(position.DeadlineAt!.Value, nowUtc);
        return new(position with { SuspendedAt = nowUtc, PausedMinutes = remaining, DeadlineAt = null },
            [new ClockSuspended(position.Level, remaining)]);
    }

    public static WorkflowStep Resume(CasePosition position, DateTime nowUtc)
    {
        var suspendedFor = nowUtc - position.SuspendedAt!.Value;
        var deadline = LevelClock.DeadlineBeforeSuspension(position.SuspendedAt.Value, position.PausedMinutes ?? 0) + suspendedFor;
        return new(position with { DeadlineAt = deadline, SuspendedAt = null, PausedMinutes = null },
            [new ClockResumed(position.Level, suspendedFor), new DeadlineSet(position.Level, deadline)]);
    }

    // Reopening takes a closed matter up again at the same level, with the level's full time limit.
    private static bool RestartsLevelClock(TransitionDefinition transition) => transition.Action == CaseActions.Reopen;

    private static WorkflowStep Step(WorkflowDefinition definition, WorkingDayCalendar calendar, CasePosition from, TransitionDefinition transition, LevelDefinition? entering, DateTime nowUtc)
    {
        var events = new List<WorkflowEvent>();
        var position = from;
        if (entering is not null)
        {
            position = position with { Level = entering.Id, LevelEnteredAt = nowUtc };
            events.Add(new LevelEntered(entering.Id, nowUtc));
        }
        var level = definition.Level(position.Level);
        var to = definition.State(transition.To);
        var outcome = to.Outcome ?? (to.IsFinal ? position.Outcome : null);
        position = position with { State = to.Id, Outcome = outcome };
        events.Add(new StateChanged(transition.Action, from.State.Length == 0 ? null : from.State, to.Id, outcome));

        if (!to.ClockRuns)
        {
            if (position.DeadlineAt is not null || position.IsSuspended)
                events.Add(new ClockStopped(level.Id));
            position = position with { DeadlineAt = null, SuspendedAt = null, PausedMinutes = null };
        }
        else if (!position.IsSuspended)
        {
            // A clock already running at this level keeps its deadline: it carries any time spent suspended.
            var deadline = entering is null && from.DeadlineAt is { } running
                ? running
                : LevelClock.Deadline(calendar, position.LevelEnteredAt, level.TimeLimit);
            if (deadline != from.DeadlineAt)
                events.Add(new DeadlineSet(level.Id, deadline));
            position = position with { DeadlineAt = deadline };
        }
        if (to.Id == definition.InitialState.Id && level.AcceptWithin is { } acceptWithin)
            events.Add(new AcceptanceExpected(level.Id, calendar.Deadline(position.LevelEnteredAt, acceptWithin)));

        var rules = definition.FollowUps
            .Where(r => r.WhenState == to.Id && (r.Outcomes.Count == 0 || r.Outcomes.Contains(outcome ?? "", StringComparer.Ordinal)))
            .ToList();
        events.Add(new ReachedState(to.Id, outcome, rules));
        return new WorkflowStep(position, events);
    }

    private static GuardResult Refuse(RefusalReason reason, string action) => new(null, new TransitionRefusal(reason, action));
}
