using Mediation.Workflows.Definitions;

namespace Mediation.Workflows.Engine;

/// <summary>Something a step did to a case's position; policies (timers, notices, follow-ups) react to these.</summary>
public abstract record WorkflowEvent;

/// <summary>The case moved to <see cref="To"/> (from nowhere when it was registered).</summary>
public sealed record StateChanged(string Action, string? From, string To, string? Outcome) : WorkflowEvent;

/// <summary>The case entered a level (registration, escalation) or entered its level anew (reopen): its clock starts at <see cref="At"/>.</summary>
public sealed record LevelEntered(string Level, DateTime At) : WorkflowEvent;

/// <summary>The level's time limit now runs out at <see cref="At"/>; raised only when the deadline changed.</summary>
public sealed record DeadlineSet(string Level, DateTime At) : WorkflowEvent;

/// <summary>The state reached does not run the clock (settled, closed): no deadline, no suspension.</summary>
public sealed record ClockStopped(string Level) : WorkflowEvent;

/// <summary>The clock was stopped by hand; <see cref="RemainingMinutes"/> of the limit are kept.</summary>
public sealed record ClockSuspended(string Level, int RemainingMinutes) : WorkflowEvent;

/// <summary>The clock runs again after <see cref="SuspendedFor"/>; a <see cref="DeadlineSet"/> follows.</summary>
public sealed record ClockResumed(string Level, TimeSpan SuspendedFor) : WorkflowEvent;

/// <summary>The receiving unit of <see cref="Level"/> is expected to accept the case by <see cref="By"/>.</summary>
public sealed record AcceptanceExpected(string Level, DateTime By) : WorkflowEvent;

/// <summary>The case reached a state with an outcome; <see cref="FollowUps"/> are the definition's follow-up rules it meets.</summary>
public sealed record ReachedState(string State, string? Outcome, IReadOnlyList<FollowUpRule> FollowUps) : WorkflowEvent;
