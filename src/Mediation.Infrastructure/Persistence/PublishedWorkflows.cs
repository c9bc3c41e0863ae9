using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Infrastructure.Persistence;

/// <summary>
/// A published (key, version) never changes under running cases: each version's content hash is recorded when it
/// is first loaded, and start-up refuses when a version that cases pin has a different file, or none.
/// </summary>
public static class PublishedWorkflows
{
    public static async Task CheckAsync(MediationDbContext db, WorkflowCatalog catalog, string folder, TimeProvider clock, CancellationToken cancellationToken)
    {
        var pins = await db.Cases.AsNoTracking()
            .GroupBy(c => new { c.WorkflowKey, c.WorkflowVersion })
            .Select(g => new { g.Key.WorkflowKey, g.Key.WorkflowVersion, Cases = g.LongCount() })
            .ToListAsync(cancellationToken);
        var recorded = await db.WorkflowVersions.ToDictionaryAsync(w => (w.WorkflowKey, w.Version), cancellationToken);
        var loaded = catalog.Registry.All.ToDictionary(d => (d.Key, d.Version));

        var problems = new List<string>();
        foreach (var pin in pins.OrderBy(p => p.WorkflowKey, StringComparer.Ordinal).ThenBy(p => p.WorkflowVersion))
        {
            recorded.TryGetValue((pin.WorkflowKey, pin.WorkflowVersion), out var record);
            var next = loaded.Keys.Where(k => k.Key == pin.WorkflowKey).Select(k => k.Version).DefaultIfEmpty(pin.WorkflowVersion).Max() + 1;
            if (!loaded.TryGetValue((pin.WorkflowKey, pin.WorkflowVersion), out var definition))
            {
                problems.Add($"  workflow '{pin.WorkflowKey}' version {pin.WorkflowVersion} is pinned by {pin.Cases} case(s), but no file under {folder} defines it"
                    + (record is null ? "" : $" (it was {record.File})") + "; put that file back unchanged.");
            }
            else if (record is not null && record.ContentSha256 != definition.ContentSha256)
            {
                problems.Add($"  {definition.SourceFile} (workflow '{pin.WorkflowKey}' version {pin.WorkflowVersion}) changed since it was first used on {record.FirstUsedAt:yyyy-MM-dd}, "
                    + $"and {pin.Cases} case(s) pin that version; restore the file as it was and publish the change as version {next} in a new file.");
            }
        }
        if (problems.Count > 0)
        {
            throw new StartupRefusedException("Mediation cannot start: a published workflow version changed under running cases." + Environment.NewLine
                + string.Join(Environment.NewLine, problems));
        }

        var pinned = pins.Select(p => (p.WorkflowKey, p.WorkflowVersion)).ToHashSet();
        var fresh = loaded.Values.Where(d => !recorded.ContainsKey((d.Key, d.Version))).ToList();
        var corrected = loaded.Values.Where(d => recorded.TryGetValue((d.Key, d.Version), out var r) && r.ContentSha256 != d.ContentSha256 && !pinned.Contains((d.Key, d.Version))).ToList();
        if (fresh.Count == 0 && corrected.Count == 0)
            return;

        // A version and its audit entry are recorded together or not at all; the transaction opens at the first write,
        // so on SQLite a second host starting at once waits for the lock instead of failing on a stale read.
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var definition in fresh)
        {
            // Two hosts starting on one database may both record a version: the first one wins, the other changes nothing.
            var inserted = await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO workflow_versions (workflow_key, version, content_sha256, file, first_used_at) VALUES ({definition.Key}, {definition.Version}, {definition.ContentSha256}, {definition.SourceFile}, {now}) ON CONFLICT (workflow_key, version) DO NOTHING",
                cancellationToken);
            if (inserted == 1)
            {
                db.RecordAdministration(AdminAudit.System, AdminAudit.Kinds.WorkflowPublished, AuditSubject.Workflow(definition.Key, definition.Version),
                    before: null, new WorkflowSnapshot(definition.Key, definition.Version, definition.SourceFile, definition.ContentSha256), now);
            }
        }
        foreach (var definition in corrected)
        {
            var record = recorded[(definition.Key, definition.Version)];
            var before = new WorkflowSnapshot(record.WorkflowKey, record.Version, record.File, record.ContentSha256);
            record.Republish(definition.ContentSha256, definition.SourceFile);
            db.RecordAdministration(AdminAudit.System, AdminAudit.Kinds.WorkflowRepublished, AuditSubject.Workflow(definition.Key, definition.Version),
                before, new WorkflowSnapshot(definition.Key, definition.Version, definition.SourceFile, definition.ContentSha256), now);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
