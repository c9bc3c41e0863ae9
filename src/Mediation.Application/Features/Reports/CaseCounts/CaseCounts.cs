using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Reports.CaseCounts;

/// <summary>How many cases a subtree holds per level and state, how many are open, and how many are overdue.</summary>
public sealed record CaseCounts(long? UnitId = null) : IQuery<CaseCountsView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => OrgScope.CaseReaders;
}

public sealed record LevelStateCount(string Level, string State, long Count);

public sealed record CaseCountsView(long UnitId, IReadOnlyList<LevelStateCount> ByLevelAndState, long Total, long Overdue);

internal sealed class CaseCountsHandler(MediationDbContext db, OrgTree tree, ActorContext actors, TimeProvider clock) : IRequestHandler<CaseCounts, CaseCountsView>
{
    public async Task<CaseCountsView> Handle(CaseCounts request, CancellationToken cancellationToken)
    {
        var (scope, _) = await OrgScope.ResolveAsync(db, tree, actors.Current, request.UnitId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;

        // Tallies are kept per unit in the same transaction as each change: a few hundred rows, whatever the case count.
        var counts = await db.CaseTallies.AsNoTracking()
            .Join(db.OrgUnits.Where(u => u.Path.StartsWith(scope.Path)), t => t.UnitId, u => u.Id, (t, u) => t)
            .GroupBy(t => new { t.Level, t.State })
            .Select(g => new LevelStateCount(g.Key.Level, g.Key.State, g.Sum(t => t.Count)))
            .ToListAsync(cancellationToken);

        // Overdue depends on the clock, so it is counted: a range of the (queue key, path) index, read without the table.
        var overdueBelow = MediationDbContext.OverdueBelow(now);
        var overdue = await db.Cases.AsNoTracking()
            .Where(c => EF.Property<long>(c, MediationDbContext.SortKey) < overdueBelow && c.UnitPath.StartsWith(scope.Path))
            .LongCountAsync(cancellationToken);

        var ordered = counts.Where(c => c.Count != 0).OrderBy(c => c.Level, StringComparer.Ordinal).ThenBy(c => c.State, StringComparer.Ordinal).ToList();
        return new CaseCountsView(scope.Id, ordered, ordered.Sum(c => c.Count), overdue);
    }
}
