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
}
