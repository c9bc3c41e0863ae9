using System.Text.Json;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Supervision.GenerateDigest;

/// <summary>
/// Generates the weekly screening digest or the fortnightly consultation agenda for a period. Sent by the scheduler;
/// a second send for the same kind and period returns the digest already made.
/// </summary>
public sealed record GenerateDigest(DigestKind Kind, DateOnly PeriodStart) : ICommand<DigestSummary>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.System, Actor.Roles.CenterDirector];
}

public sealed record DigestSummary(long Id, DigestKind Kind, DateOnly PeriodStart, DateTime GeneratedAt, int Units, int Cases);

public sealed record DigestUnit(long UnitId, string UnitName, int Open, int Overdue, int AtRisk, int Major, IReadOnlyList<DigestCase> Cases);

public sealed record DigestCase(long Id, string CaseNumber, string Summary, string State, string Level, DateTime? DeadlineAt, bool Overdue, RiskLevel Risk, bool Major);

internal sealed class GenerateDigestHandler(MediationDbContext db, OrgTree tree, TimeProvider clock) : IRequestHandler<GenerateDigest, DigestSummary>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<DigestSummary> Handle(GenerateDigest request, CancellationToken cancellationToken)
    {
        var existing = await db.Digests.AsNoTracking().FirstOrDefaultAsync(d => d.Kind == request.Kind && d.PeriodStart == request.PeriodStart, cancellationToken);
        if (existing is not null)
            return Summarize(existing);

        var now = clock.GetUtcNow().UtcDateTime;
        var query = db.Cases.AsNoTracking().Where(c => c.ClosedAt == null);

        // The consultation takes only the hard ones: overdue, high risk, major, or already at the street center.
        if (request.Kind == DigestKind.FortnightlyConsultation)
            query = query.Where(c => c.IsMajor || c.RiskLevel == RiskLevel.High || c.DeadlineAt <= now || c.Level == "center");
        var open = await query
            .OrderBy(c => EF.Property<long>(c, MediationDbContext.SortKey))
            .Select(c => new { c.UnitId, Case = new DigestCase(c.Id, c.CaseNumber, c.Summary, c.State, c.Level, c.DeadlineAt, c.DeadlineAt != null && c.DeadlineAt <= now, c.RiskLevel, c.IsMajor), c.RiskSignals })
            .ToListAsync(cancellationToken);

        var units = await tree.GetAsync(db, cancellationToken);
        var perUnit = open.GroupBy(c => c.UnitId)
            .Select(g => new DigestUnit(g.Key, units.Find(g.Key)?.Name ?? "", g.Count(), g.Count(c => c.Case.Overdue),
                g.Count(c => c.Case.Risk == RiskLevel.High || c.RiskSignals != RiskSignals.None), g.Count(c => c.Case.Major), g.Select(c => c.Case).ToList()))
            .OrderBy(u => units.Find(u.UnitId)?.Path, StringComparer.Ordinal)
            .ToList();

        var digest = new Digest(request.Kind, request.PeriodStart, now, JsonSerializer.Serialize(perUnit, Json));
        db.Digests.Add(digest);
        await db.SaveChangesAsync(cancellationToken);
        return Summarize(digest);
    }

    private static DigestSummary Summarize(Digest d)
    {
        var units = JsonSerializer.Deserialize<List<DigestUnit>>(d.Content, Json) ?? [];
        return new(d.Id, d.Kind, d.PeriodStart, d.GeneratedAt, units.Count, units.Sum(u => u.Open));
    }
}
