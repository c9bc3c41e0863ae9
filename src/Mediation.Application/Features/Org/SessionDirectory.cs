using System.Collections.Concurrent;
using Mediation.Application.Persistence;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Org;

/// <summary>
/// Turns a session id into the <see cref="Actor"/> it stands for, as the store says now: role, unit and whether the
/// account and session still exist. Held in memory between changes; a change forgets what it touched once it commits.
/// </summary>
public sealed class SessionDirectory(TimeProvider clock)
{
    // Another node's change is not seen here until an entry is this old (several nodes over PostgreSQL).
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    public async Task<Actor?> FindAsync(MediationDbContext db, string sessionId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_entries.TryGetValue(sessionId, out var cached) && cached.ReadAt + MaxAge > now && cached.ExpiresAt > now)
            return cached.Actor;

        // A change committed while this read runs must not be overwritten by what the read saw before it.
        var generation = Interlocked.Read(ref _generation);
        var found = await db.StaffSessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.ExpiresAt > now)
            .Join(db.Staff.Where(m => m.Active), s => s.StaffId, m => m.Id, (s, m) => new { s.ExpiresAt, m.Id, m.DisplayName, m.Role, m.UnitId })
            .Join(db.OrgUnits, x => x.UnitId, u => u.Id, (x, u) => new { x.ExpiresAt, Actor = new Actor(x.Id, x.DisplayName, x.Role, u.Id, u.Path) })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            _entries.TryRemove(sessionId, out _);
            return null;
        }
        if (Interlocked.Read(ref _generation) == generation)
            _entries[sessionId] = new Entry(found.Actor, found.ExpiresAt, now);
        return found.Actor;
    }

    /// <summary>Forgets every cached session of a staff member (after their role, unit, password or status changed).</summary>
    public void ForgetStaff(long staffId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (id, entry) in _entries)
        {
            if (entry.Actor.StaffId == staffId)
                _entries.TryRemove(id, out _);
        }
    }

    public void ForgetSession(string sessionId)
    {
        Interlocked.Increment(ref _generation);
        _entries.TryRemove(sessionId, out _);
    }

    private sealed record Entry(Actor Actor, DateTime ExpiresAt, DateTime ReadAt);
}
