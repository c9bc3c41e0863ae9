using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;

namespace Mediation.Application.Features.Org;

/// <summary>Resolves the subtree a list or report covers: the one asked for, if the actor may read it, else their own.</summary>
internal static class OrgScope
{
    public static readonly IReadOnlyList<string> CaseReaders =
    [
        Actor.Roles.VillageMediator, Actor.Roles.StationMediator, Actor.Roles.CenterMediator,
        Actor.Roles.CenterDirector, Actor.Roles.GridWorker, Actor.Roles.PetitionOffice,
    ];

    public static async Task<(OrgUnit Unit, bool HasChildren)> ResolveAsync(MediationDbContext db, OrgTree tree, Actor actor, long? unitId, CancellationToken cancellationToken)
    {
        var scopePath = actor.ReadScopePath ?? throw new AccessDeniedException($"The role '{actor.Role}' reads no cases.");
        var units = await tree.GetAsync(db, cancellationToken);
        var unit = unitId is { } id ? units.Find(id) : units.FindByPath(scopePath);
        if (unit is null || !unit.Path.StartsWith(scopePath, StringComparison.Ordinal))
            throw new NotFoundException($"Unit {unitId}");
        return (unit, units.HasChildren(unit));
    }
}
