using Mediation.Application.Features.Org;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Reports.SettlementShare;

/// <summary>
/// The share of settled disputes settled at each level: the "小事不出村" rate is the village level's share.
/// A settled case counts at the level where its agreement was reached.
/// </summary>
public sealed record SettlementShare(long? UnitId = null) : IQuery<SettlementShareView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => OrgScope.CaseReaders;
}

public sealed record LevelSettlement(string Level, string TitleZh, string TitleEn, long Settled, double Share);

public sealed record SettlementShareView(long UnitId, long Settled, IReadOnlyList<LevelSettlement> Levels);

internal sealed class SettlementShareHandler(MediationDbContext db, OrgTree tree, ActorContext actors, WorkflowCatalog workflows) : IRequestHandler<SettlementShare, SettlementShareView>
{
    private const string Resolved = "resolved";

    public async Task<SettlementShareView> Handle(SettlementShare request, CancellationToken cancellationToken)
    {
        var (scope, _) = await OrgScope.ResolveAsync(db, tree, actors.Current, request.UnitId, cancellationToken);
        var settled = await db.CaseTallies.AsNoTracking()
            .Where(t => t.Outcome == Resolved)
            .Join(db.OrgUnits.Where(u => u.Path.StartsWith(scope.Path)), t => t.UnitId, u => u.Id, (t, u) => t)
            .GroupBy(t => t.Level)
            .Select(g => new { Level = g.Key, Count = g.Sum(t => t.Count) })
            .ToDictionaryAsync(x => x.Level, x => x.Count, cancellationToken);

        var total = settled.Values.Sum();
        var levels = workflows.Current.Levels
            .Select(l => new LevelSettlement(l.Id, l.Title.Zh, l.Title.En, settled.GetValueOrDefault(l.Id), total == 0 ? 0 : (double)settled.GetValueOrDefault(l.Id) / total))
            .ToList();
        return new SettlementShareView(scope.Id, total, levels);
    }
}
