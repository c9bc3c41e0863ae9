using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;

namespace Mediation.Application.Features.Org;

/// <summary>The subtree a list or report covers: a unit's (its id and path), or every street's for the county ("/").</summary>
internal sealed record ReadScope(long Id, string Path);

/// <summary>Resolves the subtree a list or report covers: the one asked for, if the actor may read it, else their own.</summary>
internal static class OrgScope
{
    public static readonly IReadOnlyList<string> CaseReaders =
    [
        Actor.Roles.VillageMediator, Actor.Roles.StationMediator, Actor.Roles.CenterMediator,
        Actor.Roles.CenterDirector, Actor.Roles.GridWorker, Actor.Roles.PetitionOffice,
        Actor.Roles.CountyPetition, Actor.Roles.CountyJustice,
    ];

    public static async Task<(ReadScope Unit, bool HasChildren)> ResolveAsync(MediationDbContext db, OrgTree tree, Actor actor, long? unitId, CancellationToken cancellationToken)
    {
        var scopePath = actor.ReadScopePath ?? throw new AccessDeniedException($"The role '{actor.Role}' reads no cases.");
        var units = await tree.GetAsync(db, cancellationToken);
        // The county reads every street: no one unit stands for that, so its own office names the scope.
        if (unitId is null && scopePath == "/")
            return (new ReadScope(actor.UnitId, scopePath), true);
        var unit = unitId is { } id ? units.Find(id) : units.FindByPath(scopePath);
        if (unit is null || !unit.Path.StartsWith(scopePath, StringComparison.Ordinal))
            throw new NotFoundException($"Unit {unitId}");
        return (new ReadScope(unit.Id, unit.Path), units.HasChildren(unit));
    }
}
