namespace Mediation.Domain.FollowUps;

public enum FollowUpStatus
{
    Scheduled,
    Due,
    Done,

    /// <summary>The closing it was planned for was taken up again; <see cref="FollowUpVisit.CancelReason"/> says why.</summary>
    Cancelled,
}

/// <summary>满意 / 基本满意 / 不满意.</summary>
public enum Satisfaction
{
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

/// <summary>履行 / 部分履行 / 未履行.</summary>
public enum Performance
{
    Performed,
    PartlyPerformed,
    NotPerformed,
}

/// <summary>
/// 回访: a call or visit to the applicant after a case is closed, a week and a month on and on each due date of the
/// agreement, to check satisfaction and whether the agreement is performed.
/// </summary>
public sealed class FollowUpVisit
{
    private FollowUpVisit()
    {
        Reason = "";
    }

    public FollowUpVisit(long caseId, long ownerId, long unitId, DateOnly dueOn, DateTime dueAt, DateTime graceEndsAt, string reason)
    {
        CaseId = caseId;
        OwnerId = ownerId;
        UnitId = unitId;
        DueOn = dueOn;
        DueAt = dueAt;
        GraceEndsAt = graceEndsAt;
        Reason = reason;
    }

    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public long OwnerId { get; private set; }
    public long UnitId { get; private set; }

    /// <summary>The China date of the visit; <see cref="DueAt"/> is that day's start, in UTC.</summary>
    public DateOnly DueOn { get; private set; }
    public DateTime DueAt { get; private set; }

    /// <summary>When an unrecorded visit becomes a supervision item for the unit above.</summary>
    public DateTime GraceEndsAt { get; private set; }
    public string Reason { get; private set; }
    public FollowUpStatus Status { get; private set; }
    public DateTime? RecordedAt { get; private set; }
    public long? RecordedById { get; private set; }
    public string? Method { get; private set; }
    public Satisfaction? Satisfaction { get; private set; }
    public Performance? Performance { get; private set; }
    public string? Notes { get; private set; }
    public DateTime? CancelledAt { get; private set; }
    public string? CancelReason { get; private set; }

    public bool IsPending => Status is FollowUpStatus.Scheduled or FollowUpStatus.Due;

    public bool IsOverdue(DateTime nowUtc) => IsPending && nowUtc >= DueAt.AddDays(1);

    /// <summary>The closing this visit was planned for no longer stands (the case was reopened); a recorded visit is kept as it is.</summary>
    public bool Cancel(string reason, DateTime nowUtc)
    {
        if (!IsPending)
            return false;
        Status = FollowUpStatus.Cancelled;
        CancelledAt = nowUtc;
        CancelReason = reason;
        return true;
    }

    public void MarkDue()
    {
        if (Status == FollowUpStatus.Scheduled)
            Status = FollowUpStatus.Due;
    }

    /// <summary>Records the visit; answers whether its result calls for the matter to be taken up again.</summary>
    public bool Record(long staffId, string method, Satisfaction satisfaction, Performance performance, string? notes, DateTime nowUtc)
    {
        if (Status == FollowUpStatus.Done)
            throw new Cases.CaseInputException("followUp", "This follow-up visit is already recorded.");
        if (Status == FollowUpStatus.Cancelled)
            throw new Cases.CaseInputException("followUp", $"This follow-up visit was cancelled: {CancelReason}");
        Status = FollowUpStatus.Done;
        RecordedAt = nowUtc;
        RecordedById = staffId;
        Method = method;
        Satisfaction = satisfaction;
        Performance = performance;
        Notes = notes;
        return satisfaction == FollowUps.Satisfaction.Unsatisfied || performance == FollowUps.Performance.NotPerformed;
    }
}
