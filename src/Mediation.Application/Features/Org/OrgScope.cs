using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Org;

/// <summary>Resolves the subtree a list or report covers: the one asked for, if the actor may read it, else their own.</summary>
internal static class OrgScope
{
    public static readonly IReadOnlyList<string> CaseReaders =
    [
        Actor.Roles.VillageMediator, Actor.Roles.StationMediator, Actor.Roles.CenterMediator,
        Actor.Roles.CenterDirector, Actor.Roles.GridWorker, Actor.Roles.PetitionOffice,
    ];

    public static async Task<OrgUnit> ResolveAsync(MediationDbContext db, Actor actor, long? unitId, CancellationToken cancellationToken)
    {
        var scopePath = actor.ReadScopePath ?? throw new AccessDeniedException($"The role '{actor.Role}' reads no cases.");
        OrgUnit? unit;
        if (unitId is { } id)
            unit = await db.OrgUnits.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        else
            unit = await db.OrgUnits.AsNoTracking().FirstOrDefaultAsync(u => u.Path == scopePath, cancellationToken);
        if (unit is null || !unit.Path.StartsWith(scopePath, StringComparison.Ordinal))
            throw new NotFoundException($"Unit {unitId}");
        return unit;
    }

    /// <summary>Whether any unit sits below this one; a leaf's cases are one index range by unit id.</summary>
    public static Task<bool> HasChildrenAsync(MediationDbContext db, OrgUnit unit, CancellationToken cancellationToken) =>
        db.OrgUnits.AnyAsync(u => u.ParentId == unit.Id, cancellationToken);
}
