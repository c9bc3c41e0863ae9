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
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var definition in loaded.Values)
        {
            if (!recorded.TryGetValue((definition.Key, definition.Version), out var record))
            {
                // Two hosts starting on one database may both record a version: the first one wins, the other changes nothing.
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"INSERT INTO workflow_versions (workflow_key, version, content_sha256, file, first_used_at) VALUES ({definition.Key}, {definition.Version}, {definition.ContentSha256}, {definition.SourceFile}, {now}) ON CONFLICT (workflow_key, version) DO NOTHING",
                    cancellationToken);
            }
            else if (record.ContentSha256 != definition.ContentSha256 && !pinned.Contains((definition.Key, definition.Version)))
            {
                record.Republish(definition.ContentSha256, definition.SourceFile);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
