using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mediation.Application.Persistence;

/// <summary>
/// The content of a published (key, version) as it was when first used, so that a later edit of its file
/// under running cases is caught at start-up instead of silently changing their rules.
/// </summary>
public sealed class WorkflowVersionRecord
{
    private WorkflowVersionRecord()
    {
        WorkflowKey = ContentSha256 = File = "";
    }

    public WorkflowVersionRecord(string workflowKey, int version, string contentSha256, string file, DateTime firstUsedAt)
    {
        WorkflowKey = workflowKey;
        Version = version;
        ContentSha256 = contentSha256;
        File = file;
        FirstUsedAt = firstUsedAt;
    }

    public string WorkflowKey { get; private set; }
    public int Version { get; private set; }
    public string ContentSha256 { get; private set; }
    public string File { get; private set; }
    public DateTime FirstUsedAt { get; private set; }

    /// <summary>A version no case pins yet may still be corrected in place; it is recorded afresh.</summary>
    public void Republish(string contentSha256, string file)
    {
        ContentSha256 = contentSha256;
        File = file;
    }
}

internal sealed class WorkflowVersionConfiguration : IEntityTypeConfiguration<WorkflowVersionRecord>
{
    public void Configure(EntityTypeBuilder<WorkflowVersionRecord> builder)
    {
        builder.ToTable("WorkflowVersions");
        builder.HasKey(w => new { w.WorkflowKey, w.Version });
        builder.Property(w => w.WorkflowKey).HasMaxLength(80);
        builder.Property(w => w.ContentSha256).HasMaxLength(64);
        builder.Property(w => w.File).HasMaxLength(260);
    }
}
