using System.Text.Json;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Application.Features.Supervision.GenerateDigest;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Supervision.ListDigests;

/// <summary>The screening digests and consultation agendas made so far, newest first, each cut to the units the viewer reads.</summary>
public sealed record ListDigests(DigestKind? Kind = null, int Limit = 20) : IQuery<IReadOnlyList<DigestView>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles =>
        [Actor.Roles.CenterDirector, Actor.Roles.CenterMediator, Actor.Roles.PetitionOffice, Actor.Roles.StationMediator, Actor.Roles.CountyPetition, Actor.Roles.CountyJustice];
}

public sealed record DigestView(long Id, DigestKind Kind, DateOnly PeriodStart, DateTime GeneratedAt, IReadOnlyList<DigestUnit> Units);

internal sealed class ListDigestsHandler(MediationDbContext db, OrgTree tree, ActorContext actors) : IRequestHandler<ListDigests, IReadOnlyList<DigestView>>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<DigestView>> Handle(ListDigests request, CancellationToken cancellationToken)
    {
        var (scope, _) = await OrgScope.ResolveAsync(db, tree, actors.Current, null, cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        var digests = await db.Digests.AsNoTracking()
            .Where(d => request.Kind == null || d.Kind == request.Kind)
            .OrderByDescending(d => d.PeriodStart).Take(Math.Clamp(request.Limit, 1, 100))
            .ToListAsync(cancellationToken);
        // A digest is made street-wide once; each viewer is shown only the units in their own subtree.
        bool InScope(DigestUnit unit) => units.Find(unit.UnitId)?.Path.StartsWith(scope.Path, StringComparison.Ordinal) == true;
        return digests.Select(d => new DigestView(d.Id, d.Kind, d.PeriodStart, d.GeneratedAt,
            (JsonSerializer.Deserialize<List<DigestUnit>>(d.Content, Json) ?? []).Where(InScope).ToList())).ToList();
    }
}
