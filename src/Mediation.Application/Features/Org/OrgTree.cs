using Mediation.Application.Persistence;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Org;

/// <summary>
/// The street's units, held in memory: a few dozen rows read on nearly every request, changed only when an
/// administrator edits the tree (who then calls <see cref="Invalidate"/>).
/// </summary>
public sealed class OrgTree
{
    private volatile Snapshot? _snapshot;

    /// <remarks>
    /// An empty tree is never kept: a new install gets its first unit from <c>admin create</c>, which may run in another
    /// process while the product is up, and the product would otherwise show no units until restarted.
    /// </remarks>
    public async Task<Snapshot> GetAsync(MediationDbContext db, CancellationToken cancellationToken)
    {
        if (_snapshot is { } kept)
            return kept;
        var read = new Snapshot(await db.OrgUnits.AsNoTracking().ToListAsync(cancellationToken));
        if (read.Units.Count > 0)
            _snapshot = read;
        return read;
    }

    public async Task<OrgUnit?> FindAsync(MediationDbContext db, long id, CancellationToken cancellationToken) =>
        (await GetAsync(db, cancellationToken)).Find(id);

    public void Invalidate() => _snapshot = null;

    public sealed class Snapshot(IReadOnlyList<OrgUnit> units)
    {
        private readonly Dictionary<long, OrgUnit> _byId = units.ToDictionary(u => u.Id);
        private readonly Dictionary<string, OrgUnit> _byPath = units.ToDictionary(u => u.Path, StringComparer.Ordinal);
        private readonly HashSet<long> _parents = units.Where(u => u.ParentId is not null).Select(u => u.ParentId!.Value).ToHashSet();

        public IReadOnlyList<OrgUnit> Units { get; } = units;

        public OrgUnit? Find(long id) => _byId.GetValueOrDefault(id);

        public OrgUnit? FindByPath(string path) => _byPath.GetValueOrDefault(path);

        public bool HasChildren(OrgUnit unit) => _parents.Contains(unit.Id);

        /// <summary>The streets of the installation (roots of kind street center), in the order they were made.</summary>
        public IReadOnlyList<OrgUnit> Streets { get; } = units.Where(u => u.IsStreet).OrderBy(u => u.Id).ToList();

        /// <summary>The street a unit belongs to (the root of its path), or null for a county office.</summary>
        public OrgUnit? StreetOf(long unitId) => Find(unitId) is { } unit && Find(unit.RootId) is { IsStreet: true } street ? street : null;

        /// <summary>Whether a unit lies in the tree rooted at <paramref name="rootPath"/> ("/" is everything).</summary>
        public bool IsWithin(long unitId, string rootPath) => Find(unitId)?.Path.StartsWith(rootPath, StringComparison.Ordinal) == true;
    }
}
