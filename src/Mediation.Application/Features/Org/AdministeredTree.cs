using Mediation.Application.Persistence;
using Mediation.Domain.Org;

namespace Mediation.Application.Features.Org;

/// <summary>
/// What an administrator administers: a street administrator their own street (its root path); an administrator in a
/// county office the whole installation ("/"), where they also create streets.
/// </summary>
internal static class AdministeredTree
{
    public static async Task<string> PathAsync(MediationDbContext db, OrgTree tree, Actor actor, CancellationToken cancellationToken) =>
        await IsCountyAsync(db, tree, actor, cancellationToken) ? "/" : actor.StreetPath;

    public static async Task<bool> IsCountyAsync(MediationDbContext db, OrgTree tree, Actor actor, CancellationToken cancellationToken) =>
        (await tree.FindAsync(db, actor.UnitId, cancellationToken))?.Kind == OrgUnitKind.CountyOffice;
}
