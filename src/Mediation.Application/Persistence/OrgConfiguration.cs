using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mediation.Application.Persistence;

internal sealed class OrgUnitConfiguration : IEntityTypeConfiguration<OrgUnit>
{
    public void Configure(EntityTypeBuilder<OrgUnit> builder)
    {
        builder.ToTable("OrgUnits");
        // Ids are given by the tree's configuration so that paths can be written before insert.
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.Code).HasMaxLength(40);
        builder.HasIndex(u => u.Code).IsUnique();
        builder.Property(u => u.Name).HasMaxLength(100);
        builder.Property(u => u.Kind).HasMaxLength(40);
        builder.Property(u => u.Path).HasMaxLength(200);
        builder.HasIndex(u => u.Path).IsUnique();
        builder.HasOne<OrgUnit>().WithMany().HasForeignKey(u => u.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StaffConfiguration : IEntityTypeConfiguration<StaffMember>
{
    public void Configure(EntityTypeBuilder<StaffMember> builder)
    {
        builder.ToTable("StaffMembers");
        builder.Property(s => s.UserName).HasMaxLength(60);
        builder.HasIndex(s => s.UserName).IsUnique();
        builder.Property(s => s.DisplayName).HasMaxLength(100);
        builder.Property(s => s.Role).HasMaxLength(40);
        builder.HasOne<OrgUnit>().WithMany().HasForeignKey(s => s.UnitId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(s => s.UnitId);
    }
}

internal sealed class NoticeConfiguration : IEntityTypeConfiguration<Notice>
{
    public void Configure(EntityTypeBuilder<Notice> builder)
    {
        builder.ToTable("Notices");
        builder.Property(n => n.RecipientRole).HasMaxLength(40);
        builder.Property(n => n.Kind).HasMaxLength(40);
        builder.Property(n => n.Message).HasMaxLength(600);
        builder.HasOne<Mediation.Domain.Cases.DisputeCase>().WithMany().HasForeignKey(n => n.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(n => new { n.RecipientUnitId, n.RecipientRole, n.CreatedAt });
        builder.HasIndex(n => new { n.RecipientStaffId, n.CreatedAt });
    }
}

internal sealed class BookkeepingConfiguration :
    IEntityTypeConfiguration<CaseTally>,
    IEntityTypeConfiguration<IdempotencyRecord>,
    IEntityTypeConfiguration<CaseNumberCounter>
{
    public void Configure(EntityTypeBuilder<CaseTally> builder)
    {
        builder.ToTable("CaseTallies");
        builder.HasKey(t => new { t.UnitId, t.Level, t.State, t.Outcome });
        builder.Property(t => t.Level).HasMaxLength(40);
        builder.Property(t => t.State).HasMaxLength(40);
        builder.Property(t => t.Outcome).HasMaxLength(40);
    }

    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("IdempotencyRecords");
        builder.HasKey(r => new { r.StaffId, r.Key });
        builder.Property(r => r.Key).HasMaxLength(100);
        builder.Property(r => r.RequestType).HasMaxLength(100);
        builder.Property(r => r.RequestHash).HasMaxLength(64);
    }

    public void Configure(EntityTypeBuilder<CaseNumberCounter> builder)
    {
        builder.ToTable("CaseNumberCounters");
        builder.HasKey(c => new { c.StreetId, c.Year });
    }
}

internal sealed class DigestConfiguration : IEntityTypeConfiguration<Digest>
{
    public void Configure(EntityTypeBuilder<Digest> builder)
    {
        builder.ToTable("Digests");
        builder.Property(d => d.Kind).HasConversion<string>().HasMaxLength(30);

        // One digest per kind and period: the scheduler firing twice makes it once.
        builder.HasIndex(d => new { d.Kind, d.PeriodStart }).IsUnique();
    }
}
