using Mediation.Application.Persistence;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Org;

/// <summary>
/// The street's units, held in memory: a few dozen rows read on nearly every command, changed only when an
/// administrator edits the tree (who then calls <see cref="Invalidate"/>).
/// </summary>
public sealed class OrgTree
{
    private volatile IReadOnlyDictionary<long, OrgUnit>? _units;

    public async Task<OrgUnit?> FindAsync(MediationDbContext db, long id, CancellationToken cancellationToken)
    {
        var units = _units ??= await db.OrgUnits.AsNoTracking().ToDictionaryAsync(u => u.Id, cancellationToken);
        return units.GetValueOrDefault(id);
    }

    public void Invalidate() => _units = null;
}
