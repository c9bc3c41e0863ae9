using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Workflows.Actions;
using Mediation.Workflows.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Reports.Dashboard;

/// <summary>
/// What the petition office watches street-wide: the latest escalations, overdue cases by level and by district,
/// escalations per week, and cases by category. <see cref="AfterEventId"/> asks only for escalations newer than one
/// already shown (the live feed). <see cref="UnitId"/> narrows it to one subtree the viewer reads (the county, to one street).
/// </summary>
public sealed record GetDashboard(long? AfterEventId = null, int Weeks = 8, long? UnitId = null) : IQuery<DashboardView>, IRoleRestricted
{
    public static readonly string[] EscalationActions = [.. CaseActions.EscalationActions];

    public IReadOnlyList<string> AllowedRoles => OrgScope.CaseReaders;
}

public sealed record Escalation(long EventId, long CaseId, string CaseNumber, string Summary, string? FromLevel, string Level, string UnitName, DateTime At, string ActorName, bool Major);

public sealed record Count(string Key, string Label, long Value);

public sealed record DashboardView(IReadOnlyList<Escalation> Escalations, IReadOnlyList<Count> OverdueByLevel, IReadOnlyList<Count> OverdueByDistrict, IReadOnlyList<Count> EscalationsPerWeek, IReadOnlyList<Count> ByCategory);

internal sealed class GetDashboardHandler(MediationDbContext db, OrgTree tree, ActorContext actors, TimeProvider clock) : IRequestHandler<GetDashboard, DashboardView>
{
    public async Task<DashboardView> Handle(GetDashboard request, CancellationToken cancellationToken)
    {
        var (scope, _) = await OrgScope.ResolveAsync(db, tree, actors.Current, request.UnitId, cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var escalations = await Escalations(scope.Path, request.AfterEventId, units, cancellationToken);
        if (request.AfterEventId is not null)
            return new DashboardView(escalations, [], [], [], []);

        var overdueBelow = MediationDbContext.OverdueBelow(now);
        var overdue = await db.Cases.AsNoTracking()
            .Where(c => EF.Property<long>(c, MediationDbContext.SortKey) < overdueBelow && c.UnitPath.StartsWith(scope.Path))
            .GroupBy(c => new { c.Level, c.UnitId }).Select(g => new { g.Key.Level, g.Key.UnitId, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        var byLevel = overdue.GroupBy(o => o.Level).Select(g => new Count(g.Key, g.Key, g.Sum(o => o.Count))).ToList();

        // A case's district is the station on its unit's path (or the center itself).
        string District(long unitId)
        {
            var unit = units.Find(unitId);
            var ids = unit?.Path.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
            return ids.Length >= 2 ? units.Find(long.Parse(ids[1], System.Globalization.CultureInfo.InvariantCulture))?.Name ?? "" : unit?.Name ?? "";
        }
        var byDistrict = overdue.GroupBy(o => District(o.UnitId)).Select(g => new Count(g.Key, g.Key, g.Sum(o => o.Count))).OrderByDescending(c => c.Value).ToList();

        var since = now.AddDays(-7 * request.Weeks);
        var recent = await db.CaseEvents.AsNoTracking()
            .Where(e => GetDashboard.EscalationActions.Contains(e.Action) && e.OccurredAt >= since)
            .Join(db.Cases.Where(c => c.UnitPath.StartsWith(scope.Path)), e => e.CaseId, c => c.Id, (e, c) => e.OccurredAt)
            .ToListAsync(cancellationToken);
        var weeks = Enumerable.Range(0, request.Weeks).Select(w => WeekStart(now).AddDays(-7 * (request.Weeks - 1 - w))).ToList();
        var perWeek = weeks.Select(start => new Count(start.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), start.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            recent.LongCount(at => WeekStart(at) == start))).ToList();

        var byCategory = await db.Cases.AsNoTracking().Where(c => c.UnitPath.StartsWith(scope.Path))
            .GroupBy(c => c.Category).Select(g => new { g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        return new DashboardView(escalations, byLevel, byDistrict, perWeek,
            byCategory.OrderByDescending(c => c.Count).Select(c => new Count(c.Key.ToString(), c.Key.ToString(), c.Count)).ToList());
    }

    private async Task<List<Escalation>> Escalations(string scopePath, long? after, OrgTree.Snapshot units, CancellationToken cancellationToken)
    {
        var events = db.CaseEvents.AsNoTracking().Where(e => GetDashboard.EscalationActions.Contains(e.Action));
        if (after is { } afterId)
            events = events.Where(e => e.Id > afterId);
        // Scope first, then the latest twenty: taking twenty street-wide first would leave a station with fewer.
        var rows = await events
            .Join(db.Cases.Where(c => c.UnitPath.StartsWith(scopePath)), e => e.CaseId, c => c.Id,
                (e, c) => new { e.Id, e.CaseId, c.CaseNumber, c.Summary, e.FromLevel, e.Level, e.UnitId, e.OccurredAt, e.ActorName, c.IsMajor })
            .OrderByDescending(r => r.Id).Take(20)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new Escalation(r.Id, r.CaseId, r.CaseNumber, r.Summary, r.FromLevel, r.Level, units.Find(r.UnitId)?.Name ?? "", r.OccurredAt, r.ActorName, r.IsMajor)).ToList();
    }

    private static DateOnly WeekStart(DateTime utc)
    {
        var day = WorkingDayCalendar.ChinaDate(utc);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }
}
