using Mediation.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mediation.Application.Persistence;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<DisputeCase>
{
    public void Configure(EntityTypeBuilder<DisputeCase> builder)
    {
        builder.ToTable("Cases");
        builder.HasKey(c => c.Id);
        // The store gives a case its id before it is written, so its events can name it (CaseStore.NextIdAsync).
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.CaseNumber).HasMaxLength(40);
        builder.HasIndex(c => c.CaseNumber).IsUnique();
        builder.Property(c => c.WorkflowKey).HasMaxLength(80);
        builder.Property(c => c.State).HasMaxLength(40);
        builder.Property(c => c.Level).HasMaxLength(40);
        builder.Property(c => c.Outcome).HasMaxLength(40);
        builder.Property(c => c.UnitPath).HasMaxLength(200);
        builder.Property(c => c.Channel).HasConversion<string>().HasMaxLength(30);
        builder.Property(c => c.Category).HasConversion<string>().HasMaxLength(40);
        builder.Property(c => c.RiskLevel).HasConversion<string>().HasMaxLength(10);
        builder.Property(c => c.Summary).HasMaxLength(500);
        builder.Property(c => c.Description).HasMaxLength(4000);
        builder.Property(c => c.ApplicantName).HasMaxLength(100);
        builder.Property(c => c.AmountInDispute).HasPrecision(14, 2);
        builder.Property(c => c.Version).IsConcurrencyToken();

        // Lists page by the queue key with a keyset, never OFFSET: every page is one seek. The path rides along in the
        // index so subtree filters and overdue counts are answered from the index alone; a leaf unit has its own.
        builder.Property<long>(MediationDbContext.SortKey);
        builder.HasIndex(MediationDbContext.SortKey, nameof(DisputeCase.UnitPath)).HasDatabaseName("IX_Cases_SortKey_UnitPath");
        builder.HasIndex(nameof(DisputeCase.UnitId), MediationDbContext.SortKey).HasDatabaseName("IX_Cases_UnitId_SortKey");

        builder.HasMany(c => c.Parties).WithOne().HasForeignKey(p => p.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Sessions).WithOne().HasForeignKey(s => s.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Agreements).WithOne().HasForeignKey(a => a.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.Navigation(c => c.Agreements).UsePropertyAccessMode(PropertyAccessMode.Field).HasField("_agreements");
        builder.Ignore(c => c.Agreement);
        builder.Ignore(c => c.CancelledFollowUps);
        builder.Navigation(c => c.Parties).UsePropertyAccessMode(PropertyAccessMode.Field).HasField("_parties");
        builder.Navigation(c => c.Sessions).UsePropertyAccessMode(PropertyAccessMode.Field).HasField("_sessions");
        builder.Ignore(c => c.NewEvents);
        builder.Ignore(c => c.NewNotices);
        builder.Ignore(c => c.NewTimers);
        builder.Ignore(c => c.NewFollowUps);
        builder.Ignore(c => c.ParentUnitId);
    }
}

internal sealed class PartyConfiguration : IEntityTypeConfiguration<Party>
{
    public void Configure(EntityTypeBuilder<Party> builder)
    {
        builder.ToTable("Parties");
        builder.Property(p => p.Role).HasConversion<string>().HasMaxLength(20);
        builder.Property(p => p.Name).HasMaxLength(100);
        builder.Property(p => p.Phone).HasMaxLength(30);
        builder.Property(p => p.IdNumber).HasMaxLength(30);
        builder.Property(p => p.Address).HasMaxLength(300);
        builder.HasIndex(p => p.Name);
    }
}

internal sealed class SessionConfiguration : IEntityTypeConfiguration<MediationSession>
{
    public void Configure(EntityTypeBuilder<MediationSession> builder)
    {
        builder.ToTable("MediationSessions");
        builder.Property(s => s.Place).HasMaxLength(200);
        builder.Property(s => s.Attendees).HasMaxLength(500);
        builder.Property(s => s.Summary).HasMaxLength(4000);
    }
}

internal sealed class AgreementConfiguration : IEntityTypeConfiguration<Agreement>
{
    public void Configure(EntityTypeBuilder<Agreement> builder)
    {
        builder.ToTable("Agreements");
        builder.Property(a => a.Terms).HasMaxLength(4000);
    }
}

internal sealed class CaseEventConfiguration : IEntityTypeConfiguration<CaseEvent>
{
    public void Configure(EntityTypeBuilder<CaseEvent> builder)
    {
        builder.ToTable("CaseEvents");
        builder.HasKey(e => e.Id);
        builder.HasOne<DisputeCase>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Restrict);

        // One event per version: a second writer of the same version fails here even if all else let it through.
        builder.HasIndex(e => new { e.CaseId, e.Sequence }).IsUnique();
        builder.Property(e => e.Action).HasMaxLength(40);
        builder.Property(e => e.FromState).HasMaxLength(40);
        builder.Property(e => e.ToState).HasMaxLength(40);
        builder.Property(e => e.FromLevel).HasMaxLength(40);
        builder.Property(e => e.Level).HasMaxLength(40);
        builder.Property(e => e.Outcome).HasMaxLength(40);
        builder.Property(e => e.ActorName).HasMaxLength(100);
        builder.Property(e => e.ActorRole).HasMaxLength(40);
    }
}

internal sealed class CaseTimerConfiguration : IEntityTypeConfiguration<Mediation.Domain.Deadlines.CaseTimer>
{
    public void Configure(EntityTypeBuilder<Mediation.Domain.Deadlines.CaseTimer> builder)
    {
        builder.ToTable("CaseTimers");
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(30);
        builder.Property(t => t.Status).HasConversion<string>().HasMaxLength(10);
        builder.Property(t => t.Level).HasMaxLength(40);
        builder.Property(t => t.Note).HasMaxLength(300);
        builder.Property(t => t.LastError).HasMaxLength(Mediation.Domain.Deadlines.TimerRetry.ErrorLength);
        builder.HasOne<DisputeCase>().WithMany().HasForeignKey(t => t.CaseId).OnDelete(DeleteBehavior.Restrict);

        // The dispatcher's one question: the pending timers to try by now, earliest first (a failing one waits out its backoff).
        builder.HasIndex(t => new { t.Status, t.NextAttemptAt });
        builder.HasIndex(t => t.CaseId);
    }
}

internal sealed class TimerEventConfiguration : IEntityTypeConfiguration<Mediation.Domain.Deadlines.TimerEvent>
{
    public void Configure(EntityTypeBuilder<Mediation.Domain.Deadlines.TimerEvent> builder)
    {
        builder.ToTable("TimerEvents");
        builder.Property(e => e.Action).HasMaxLength(20);
        builder.Property(e => e.LastError).HasMaxLength(Mediation.Domain.Deadlines.TimerRetry.ErrorLength);
        builder.Property(e => e.ActorName).HasMaxLength(100);
        builder.Property(e => e.ActorRole).HasMaxLength(40);
        builder.HasOne<Mediation.Domain.Deadlines.CaseTimer>().WithMany().HasForeignKey(e => e.TimerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(e => e.TimerId);
    }
}

internal sealed class FollowUpConfiguration : IEntityTypeConfiguration<Mediation.Domain.FollowUps.FollowUpVisit>
{
    public void Configure(EntityTypeBuilder<Mediation.Domain.FollowUps.FollowUpVisit> builder)
    {
        builder.ToTable("FollowUpVisits");
        builder.Property(f => f.Reason).HasMaxLength(100);
        builder.Property(f => f.Status).HasConversion<string>().HasMaxLength(10);
        builder.Property(f => f.Method).HasMaxLength(40);
        builder.Property(f => f.Satisfaction).HasConversion<string>().HasMaxLength(20);
        builder.Property(f => f.Performance).HasConversion<string>().HasMaxLength(20);
        builder.Property(f => f.Notes).HasMaxLength(2000);
        builder.Property(f => f.CancelReason).HasMaxLength(300);
        builder.Ignore(f => f.IsPending);
        builder.HasOne<DisputeCase>().WithMany().HasForeignKey(f => f.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(f => new { f.OwnerId, f.Status, f.DueAt });
        builder.HasIndex(f => f.CaseId);
    }
}
