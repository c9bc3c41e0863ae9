using Mediation.Application.Persistence;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Org;

/// <summary>Turns a staff member into the <see cref="Actor"/> every request is judged against.</summary>
public static class StaffDirectory
{
    public static async Task<Actor?> FindActorAsync(MediationDbContext db, string userName, CancellationToken cancellationToken = default) =>
        await db.Staff.AsNoTracking()
            .Where(s => s.UserName == userName)
            .Join(db.OrgUnits, s => s.UnitId, u => u.Id, (s, u) => new Actor(s.Id, s.DisplayName, s.Role, u.Id, u.Path))
            .FirstOrDefaultAsync(cancellationToken);
}
