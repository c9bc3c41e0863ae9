namespace Mediation.Domain.Deadlines;

/// <summary>
/// What a timer does when it comes due, and its misfire policy: a timer missed while the server was down fires
/// once when it is next seen, never once per missed period and never before it is due.
/// </summary>
public enum TimerKind
{
    /// <summary>The level's time limit: escalate or flag overdue, as the level says. Late: fires once if the deadline still stands.</summary>
    LevelDeadline,

    /// <summary>The receiving unit has not accepted in time: remind it and the unit above. Late: once, if still unaccepted.</summary>
    AcceptanceDeadline,

    /// <summary>首问负责: remind the owner to tell the applicant how it goes. Late: once, the next one counted from the firing.</summary>
    ProgressNotice,

    /// <summary>A follow-up visit falls due today: remind its owner. Late: once, if not yet recorded.</summary>
    FollowUpDue,

    /// <summary>A follow-up still not recorded after its grace days: a supervision item for the unit above. Late: once.</summary>
    FollowUpGrace,
}

public enum TimerStatus
{
    Pending,
    Applied,
    Skipped,

    /// <summary>Could not fire after <see cref="TimerRetry.MaxAttempts"/> attempts: waits for an administrator to retry or cancel it.</summary>
    Failed,

    /// <summary>Given up by an administrator; it never fires.</summary>
    Cancelled,
}

/// <summary>How a timer that cannot fire is tried again: 1 min, 2, 4 … capped at an hour, then Failed.</summary>
public static class TimerRetry
{
    public const int MaxAttempts = 8;
    public const int ErrorLength = 300;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan LongestDelay = TimeSpan.FromHours(1);

    /// <summary>The wait after the given number of failed attempts (1 for the first failure).</summary>
    public static TimeSpan DelayAfter(int attempts)
    {
        var delay = FirstDelay * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        return delay > LongestDelay ? LongestDelay : delay;
    }

    /// <summary>Where a timer stands after one more failed attempt: Pending until the next try, or Failed after the last.</summary>
    public static (int Attempts, TimerStatus Status, DateTime NextAttemptAt) AfterFailure(int attemptsSoFar, DateTime now)
    {
        var attempts = attemptsSoFar + 1;
        return attempts >= MaxAttempts ? (attempts, TimerStatus.Failed, now) : (attempts, TimerStatus.Pending, now + DelayAfter(attempts));
    }

    /// <summary>The error as stored: its type and message, cut to the column's length.</summary>
    public static string Describe(Exception error)
    {
        var text = $"{error.GetType().Name}: {error.Message}";
        return text.Length > ErrorLength ? text[..ErrorLength] : text;
    }
}

/// <summary>
/// A due action, persisted in the case database in the same transaction as the change that causes it, so it can
/// never disagree with the case. It fires at most once: whoever moves it out of Pending first owns its effect.
/// </summary>
public sealed class CaseTimer
{
    private CaseTimer()
    {
        Level = "";
    }

    public CaseTimer(long caseId, TimerKind kind, DateTime dueAt, string level, long unitId, long? followUpId = null)
    {
        CaseId = caseId;
        Kind = kind;
        DueAt = dueAt;
        Level = level;
        UnitId = unitId;
        FollowUpId = followUpId;
        NextAttemptAt = dueAt;
    }

    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public TimerKind Kind { get; private set; }
    public DateTime DueAt { get; private set; }

    /// <summary>Where the case stood when the timer was set; a case that has moved on makes the timer moot.</summary>
    public string Level { get; private set; }
    public long UnitId { get; private set; }
    public long? FollowUpId { get; private set; }
    public TimerStatus Status { get; private set; }
    public DateTime? ResolvedAt { get; private set; }

    /// <summary>What firing did, or why it was skipped.</summary>
    public string? Note { get; private set; }

    /// <summary>When the dispatcher next tries it: its due time, or later after failed attempts.</summary>
    public DateTime NextAttemptAt { get; private set; }

    /// <summary>Failed attempts since it was set or last retried by an administrator.</summary>
    public int Attempts { get; private set; }

    /// <summary>The last failure's exception type and message (our messages name states and fields, never personal data).</summary>
    public string? LastError { get; private set; }

    /// <summary>An administrator sends a Failed timer round again, now, with a fresh set of attempts.</summary>
    public void Retry(DateTime now)
    {
        if (Status != TimerStatus.Failed)
            throw new TimerRuleException($"Only a failed timer can be retried; this one is {Status}.");
        Status = TimerStatus.Pending;
        Attempts = 0;
        // Never before it is due: a timer tried early would be asked for again and again, "not due yet".
        NextAttemptAt = now > DueAt ? now : DueAt;
        ResolvedAt = null;
        Note = null;
    }

    /// <summary>An administrator gives up a Failed timer: it will never fire.</summary>
    public void Cancel(DateTime now)
    {
        if (Status != TimerStatus.Failed)
            throw new TimerRuleException($"Only a failed timer can be cancelled; this one is {Status}.");
        Status = TimerStatus.Cancelled;
        ResolvedAt = now;
        Note = "cancelled by an administrator";
    }
}

/// <summary>What an administrator did to a timer that could not fire: an immutable audit record.</summary>
public sealed class TimerEvent
{
    private TimerEvent()
    {
        Action = ActorName = ActorRole = "";
    }

    public TimerEvent(CaseTimer timer, string action, Org.Actor actor, DateTime at)
    {
        TimerId = timer.Id;
        CaseId = timer.CaseId;
        Action = action;
        AttemptsBefore = timer.Attempts;
        LastError = timer.LastError;
        ActorId = actor.StaffId;
        ActorName = actor.DisplayName;
        ActorRole = actor.Role;
        OccurredAt = at;
    }

    public static class Actions
    {
        public const string Retry = "retry";
        public const string Cancel = "cancel";
    }

    public long Id { get; private set; }
    public long TimerId { get; private set; }
    public long CaseId { get; private set; }
    public string Action { get; private set; }
    public int AttemptsBefore { get; private set; }
    public string? LastError { get; private set; }
    public long ActorId { get; private set; }
    public string ActorName { get; private set; }
    public string ActorRole { get; private set; }
    public DateTime OccurredAt { get; private set; }
}

/// <summary>A retry or cancel asked of a timer not in the Failed state (409).</summary>
public sealed class TimerRuleException(string message) : Cases.DomainRuleException(message);
