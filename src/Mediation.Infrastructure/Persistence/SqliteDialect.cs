using System.Globalization;
using System.Text.Json;
using Mediation.Application.Persistence;

namespace Mediation.Infrastructure.Persistence;

/// <summary>SQLite: one writer at a time (the write gate), so claims and keys need no locks of their own.</summary>
public sealed class SqliteDialect : StoreDialect
{
    // The highest id ever issued plus one: sqlite_sequence remembers it even past a deleted row.
    public override Task<long> NextCaseIdAsync(MediationDbContext db, CancellationToken cancellationToken) =>
        ScalarAsync(db, "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'cases'), 0), COALESCE((SELECT MAX(id) FROM cases), 0)) + 1", cancellationToken);

    // EF keeps a DateOnly list as a JSON array of ISO dates on SQLite.
    public override object DueDatesParameter(IReadOnlyList<DateOnly> dueDates) =>
        JsonSerializer.Serialize(dueDates.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
}
