using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mediation.Application.Persistence;

/// <summary>A fact about this installation, written once (e.g. that it was seeded with the demo street).</summary>
public sealed class InstallationFact
{
    /// <summary>The key of the row written when the demo street was seeded: the banner reads it, not the configuration.</summary>
    public const string DemoData = "demoData";

    private InstallationFact()
    {
        Key = Value = "";
    }

    public InstallationFact(string key, string value, DateTime recordedAt)
    {
        Key = key;
        Value = value;
        RecordedAt = recordedAt;
    }

    public string Key { get; private set; }
    public string Value { get; private set; }
    public DateTime RecordedAt { get; private set; }
}

/// <summary>
/// One key of the ring that protects sign-in cookies and antiforgery tokens, as ASP.NET's data protection writes it:
/// kept in the database so that every node reads the same ring and a restart keeps it.
/// </summary>
public sealed class DataProtectionKey
{
    private DataProtectionKey()
    {
        Xml = "";
    }

    public DataProtectionKey(string? friendlyName, string xml)
    {
        FriendlyName = friendlyName;
        Xml = xml;
    }

    public long Id { get; private set; }
    public string? FriendlyName { get; private set; }
    public string Xml { get; private set; }
}

internal sealed class AccountsConfiguration : IEntityTypeConfiguration<StaffSession>, IEntityTypeConfiguration<InstallationFact>, IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<StaffSession> builder)
    {
        builder.ToTable("StaffSessions");
        builder.Property(s => s.Id).HasMaxLength(64).ValueGeneratedNever();
        builder.HasOne<StaffMember>().WithMany().HasForeignKey(s => s.StaffId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(s => s.StaffId);
    }

    public void Configure(EntityTypeBuilder<InstallationFact> builder)
    {
        builder.ToTable("InstallationFacts");
        builder.HasKey(f => f.Key);
        builder.Property(f => f.Key).HasMaxLength(40);
        builder.Property(f => f.Value).HasMaxLength(200);
    }

    public void Configure(EntityTypeBuilder<DataProtectionKey> builder)
    {
        builder.ToTable("DataProtectionKeys");
        builder.Property(k => k.FriendlyName).HasMaxLength(100);
    }
}
