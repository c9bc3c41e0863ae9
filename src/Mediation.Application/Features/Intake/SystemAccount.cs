using Mediation.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mediation.Application.Features.Intake;

/// <summary>
/// 系统账号: another system (the 12345 hotline, a department) that registers disputes into one unit with API keys.
/// It acts with staff id −Id, so its idempotency records and case events can never be taken for a staff member's.
/// </summary>
public sealed class SystemAccount
{
    private SystemAccount()
    {
        Name = "";
    }

    public SystemAccount(string name, long unitId, IntakeChannel channel, long createdBy, DateTime createdAt)
    {
        Name = name;
        UnitId = unitId;
        Channel = channel;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public string Name { get; private set; }
    public long UnitId { get; private set; }
    public IntakeChannel Channel { get; private set; }
    public long CreatedBy { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? RevokedAt { get; private set; }

    public long ActorId => -Id;
}

/// <summary>One key of a system account: the prefix finds it, the SHA-256 of the secret proves it; the secret is never kept.</summary>
public sealed class ApiKey
{
    private ApiKey()
    {
        Prefix = SecretHash = "";
    }

    public ApiKey(long systemAccountId, string prefix, string secretHash, DateTime createdAt)
    {
        SystemAccountId = systemAccountId;
        Prefix = prefix;
        SecretHash = secretHash;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public long SystemAccountId { get; private set; }
    public string Prefix { get; private set; }
    public string SecretHash { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? LastUsedAt { get; private set; }
    public DateTime? RevokedAt { get; private set; }

    public void Revoke(DateTime nowUtc) => RevokedAt ??= nowUtc;
}

/// <summary>The other system's own number for a case it registered (工单号), unique per system account.</summary>
public sealed class CaseExternalRef
{
    private CaseExternalRef()
    {
        ExternalReference = "";
    }

    public CaseExternalRef(long caseId, long systemAccountId, string externalReference)
    {
        CaseId = caseId;
        SystemAccountId = systemAccountId;
        ExternalReference = externalReference;
    }

    public long CaseId { get; private set; }
    public long SystemAccountId { get; private set; }
    public string ExternalReference { get; private set; }
}

internal sealed class SystemAccountConfiguration : IEntityTypeConfiguration<SystemAccount>
{
    public void Configure(EntityTypeBuilder<SystemAccount> builder)
    {
        builder.ToTable("SystemAccounts");
        builder.Property(a => a.Name).HasMaxLength(100);
        builder.Property(a => a.Channel).HasConversion<string>().HasMaxLength(30);
        builder.Ignore(a => a.ActorId);
        builder.HasOne<Mediation.Domain.Org.OrgUnit>().WithMany().HasForeignKey(a => a.UnitId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => a.UnitId);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.Property(k => k.SecretHash).HasMaxLength(64);
        builder.HasIndex(k => k.Prefix).IsUnique();
        builder.HasIndex(k => k.SystemAccountId);
        builder.HasOne<SystemAccount>().WithMany().HasForeignKey(k => k.SystemAccountId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CaseExternalRefConfiguration : IEntityTypeConfiguration<CaseExternalRef>
{
    public void Configure(EntityTypeBuilder<CaseExternalRef> builder)
    {
        builder.ToTable("CaseExternalRefs");
        builder.HasKey(r => r.CaseId);
        builder.Property(r => r.CaseId).ValueGeneratedNever();
        builder.Property(r => r.ExternalReference).HasMaxLength(100);
        builder.HasIndex(r => new { r.SystemAccountId, r.ExternalReference }).IsUnique();
        builder.HasOne<DisputeCase>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<SystemAccount>().WithMany().HasForeignKey(r => r.SystemAccountId).OnDelete(DeleteBehavior.Restrict);
    }
}
