namespace Mediation.Domain.Supervision;

/// <summary>
/// A message to the holders of a role in a unit, e.g. the reporting rule (报告制度) telling the street center
/// and the petition office of a major dispute at once. Written in the same transaction as its cause.
/// </summary>
public sealed class Notice
{
    private Notice()
    {
        Kind = Message = "";
    }

    public Notice(long recipientUnitId, string? recipientRole, long? caseId, string kind, string message, DateTime createdAt, long? recipientStaffId = null)
    {
        RecipientUnitId = recipientUnitId;
        RecipientRole = recipientRole;
        RecipientStaffId = recipientStaffId;
        CaseId = caseId;
        Kind = kind;
        Message = message;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public long RecipientUnitId { get; private set; }

    /// <summary>The role addressed in the unit; null for everyone in it.</summary>
    public string? RecipientRole { get; private set; }

    /// <summary>One person addressed (the case's owner), if any.</summary>
    public long? RecipientStaffId { get; private set; }
    public long? CaseId { get; private set; }
    public string Kind { get; private set; }
    public string Message { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? ReadAt { get; private set; }

    public static class Kinds
    {
        public const string MajorDisputeReported = "majorDisputeReported";
        public const string EscalatedOnExpiry = "escalatedOnExpiry";
        public const string TimeLimitPassed = "timeLimitPassed";
        public const string AcceptanceOverdue = "acceptanceOverdue";
        public const string ProgressNoticeDue = "progressNoticeDue";
        public const string FollowUpDue = "followUpDue";
        public const string FollowUpOverdue = "followUpOverdue";
    }
}
