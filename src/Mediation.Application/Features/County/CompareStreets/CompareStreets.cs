using Mediation.Application.Features.Org;
using Mediation.Application.Features.Reports.Dashboard;
using Mediation.Application.Features.Reports.SettlementShare;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.FollowUps;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.County.CompareStreets;

/// <summary>
/// 街道对比: what the county petition office and the county justice bureau compare across the streets — how many
/// disputes each registered, the share settled at each level (小事不出村), how many were handed up to the street
/// center, how many are overdue or major, and how satisfied residents were at follow-up.
/// </summary>
public sealed record CompareStreets : IQuery<StreetComparison>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => Actor.Roles.County;
}

public sealed record StreetComparison(IReadOnlyList<StreetFigures> Streets);

/// <param name="SatisfiedShare">Satisfied or basically satisfied among the follow-ups recorded; null before the first one.</param>
public sealed record StreetFigures(
    long StreetId, string Code, string Name, long Registered, long Open, long Settled, IReadOnlyList<LevelSettlement> SettledByLevel,
    long EscalatedToCenter, long Overdue, long Major, long FollowUpsRecorded, double? SatisfiedShare);

internal sealed class CompareStreetsHandler(MediationDbContext db, OrgTree tree, WorkflowCatalog workflows, TimeProvider clock) : IRequestHandler<CompareStreets, StreetComparison>
{
    private const string Resolved = "resolved";

    public async Task<StreetComparison> Handle(CompareStreets request, CancellationToken cancellationToken)
    {
        var units = await tree.GetAsync(db, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        long StreetOf(long unitId) => units.StreetOf(unitId)?.Id ?? 0;

        // Every figure is read per unit (tallies, index ranges) and summed per street here: a few hundred rows.
        var tallies = await db.CaseTallies.AsNoTracking().ToListAsync(cancellationToken);
        var overdueBelow = MediationDbContext.OverdueBelow(now);
        var overdue = await db.Cases.AsNoTracking().Where(c => EF.Property<long>(c, MediationDbContext.SortKey) < overdueBelow)
            .GroupBy(c => c.UnitId).Select(g => new { UnitId = g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        var major = await db.Cases.AsNoTracking().Where(c => c.IsMajor)
            .GroupBy(c => c.UnitId).Select(g => new { UnitId = g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        var centerLevel = workflows.Current.LevelForUnitKind(OrgUnitKind.StreetCenter)?.Id ?? "";
        var escalatedCases = db.CaseEvents.AsNoTracking().Where(e => GetDashboard.EscalationActions.Contains(e.Action) && e.Level == centerLevel).Select(e => e.CaseId).Distinct();
        var escalated = await db.Cases.AsNoTracking().Where(c => escalatedCases.Contains(c.Id))
            .GroupBy(c => c.UnitId).Select(g => new { UnitId = g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
        var followUps = await db.FollowUps.AsNoTracking().Where(v => v.Satisfaction != null)
            .GroupBy(v => new { v.UnitId, v.Satisfaction }).Select(g => new { g.Key.UnitId, g.Key.Satisfaction, Count = g.LongCount() }).ToListAsync(cancellationToken);
        var finalStates = workflows.Current.States.Where(s => s.IsFinal).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

        var streets = units.Streets.Select(street =>
        {
            var own = tallies.Where(t => StreetOf(t.UnitId) == street.Id).ToList();
            var settled = own.Where(t => t.Outcome == Resolved).GroupBy(t => t.Level).ToDictionary(g => g.Key, g => g.Sum(t => t.Count), StringComparer.Ordinal);
            var settledTotal = settled.Values.Sum();
            var levels = workflows.Current.Levels
                .Select(l => new LevelSettlement(l.Id, l.Title.Zh, l.Title.En, settled.GetValueOrDefault(l.Id), settledTotal == 0 ? 0 : (double)settled.GetValueOrDefault(l.Id) / settledTotal))
                .ToList();
            var visits = followUps.Where(f => StreetOf(f.UnitId) == street.Id).ToList();
            var recorded = visits.Sum(v => v.Count);
            var satisfied = visits.Where(v => v.Satisfaction is Satisfaction.Satisfied or Satisfaction.BasicallySatisfied).Sum(v => v.Count);
            return new StreetFigures(street.Id, street.Code, street.Name,
                own.Sum(t => t.Count), own.Where(t => !finalStates.Contains(t.State)).Sum(t => t.Count), settledTotal, levels,
                escalated.Where(e => StreetOf(e.UnitId) == street.Id).Sum(e => e.Count),
                overdue.Where(o => StreetOf(o.UnitId) == street.Id).Sum(o => o.Count),
                major.Where(m => StreetOf(m.UnitId) == street.Id).Sum(m => m.Count),
                recorded, recorded == 0 ? null : (double)satisfied / recorded);
        }).ToList();
        return new StreetComparison(streets);
    }
}
