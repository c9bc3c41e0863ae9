using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mediation.Application.Features.Administration.AuditTrail;

/// <summary>
/// One administration change: who (as they were then), when, on what, and the subject before and after. Append-only:
/// triggers of migration 0011 refuse every UPDATE and DELETE, as migration 0003 does for case events.
/// </summary>
public sealed class AdminAuditEntry
{
    private AdminAuditEntry()
    {
        ActorName = ActorRole = Action = SubjectKind = SubjectId = SubjectLabel = "";
    }

    internal AdminAuditEntry(DateTime at, long actorStaffId, string actorName, string actorRole, long? streetId, string? unitPath,
        string action, string subjectKind, string subjectId, string subjectLabel, string? beforeJson, string? afterJson)
    {
        At = at;
        ActorStaffId = actorStaffId;
        ActorName = actorName;
        ActorRole = actorRole;
        StreetId = streetId;
        UnitPath = unitPath;
        Action = action;
        SubjectKind = subjectKind;
        SubjectId = subjectId;
        SubjectLabel = subjectLabel;
        BeforeJson = beforeJson;
        AfterJson = afterJson;
    }

    public long Id { get; private set; }
    public DateTime At { get; private set; }

    /// <summary>0 for the product itself (start-up) and the command line.</summary>
    public long ActorStaffId { get; private set; }
    public string ActorName { get; private set; }
    public string ActorRole { get; private set; }

    /// <summary>The street the subject belongs to; null for what belongs to the whole installation (a workflow definition).</summary>
    public long? StreetId { get; private set; }
    public string? UnitPath { get; private set; }
    public string Action { get; private set; }
    public string SubjectKind { get; private set; }
    public string SubjectId { get; private set; }
    public string SubjectLabel { get; private set; }
    public string? BeforeJson { get; private set; }
    public string? AfterJson { get; private set; }
}

internal sealed class AdminAuditEntryConfiguration : IEntityTypeConfiguration<AdminAuditEntry>
{
    public void Configure(EntityTypeBuilder<AdminAuditEntry> builder)
    {
        builder.ToTable("AdminAuditEntries");
        builder.Property(e => e.ActorName).HasMaxLength(100);
        builder.Property(e => e.ActorRole).HasMaxLength(40);
        builder.Property(e => e.UnitPath).HasMaxLength(200);
        builder.Property(e => e.Action).HasMaxLength(60);
        builder.Property(e => e.SubjectKind).HasMaxLength(40);
        builder.Property(e => e.SubjectId).HasMaxLength(120);
        builder.Property(e => e.SubjectLabel).HasMaxLength(200);
        // Keyset pages run newest first, within a street or across all of them.
        builder.HasIndex(e => new { e.StreetId, e.Id });
        builder.HasIndex(e => e.At);
    }
}
