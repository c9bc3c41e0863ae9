using System.Security.Cryptography;
using System.Text;
using Mediation.Application.Persistence;

namespace Mediation.Infrastructure.Persistence;

/// <summary>PostgreSQL: several nodes write at once, so ids come from the sequence and claims and keys take row or advisory locks.</summary>
public sealed class PostgresDialect : StoreDialect
{
    public override Task<long> NextCaseIdAsync(MediationDbContext db, CancellationToken cancellationToken) =>
        ScalarAsync(db, "SELECT nextval(pg_get_serial_sequence('cases', 'id'))", cancellationToken);

    // EF keeps a DateOnly list as date[] on PostgreSQL.
    public override object DueDatesParameter(IReadOnlyList<DateOnly> dueDates) => dueDates.ToArray();

    /// <summary>
    /// Locks each still-pending timer and its case, skipping rows another transaction holds: the other node's batch is
    /// neither waited for nor fired twice, and two timers of one case never land in two nodes' batches at once.
    /// </summary>
    public override async Task<IReadOnlyList<long>> ClaimDueTimersAsync(MediationDbContext db, IReadOnlyList<long> timerIds, CancellationToken cancellationToken)
    {
        if (timerIds.Count == 0)
            return timerIds;
        await using var command = Command(db,
            "SELECT t.id FROM case_timers t JOIN cases c ON c.id = t.case_id WHERE t.id = ANY(@ids) AND t.status = 'Pending' " +
            "ORDER BY t.id FOR UPDATE OF t, c SKIP LOCKED",
            ("@ids", timerIds.ToArray()));
        var claimed = new HashSet<long>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                claimed.Add(reader.GetInt64(0));
        }
        return timerIds.Where(claimed.Contains).ToList();
    }

    /// <summary>A transaction-scoped advisory lock on the key's hash: a concurrent retry waits here, then reads the first answer.</summary>
    public override async Task HoldIdempotencyKeyAsync(MediationDbContext db, long staffId, string key, CancellationToken cancellationToken)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"idempotency:{staffId}:{key}"));
        await using var command = Command(db, "SELECT pg_advisory_xact_lock(@key)", ("@key", BitConverter.ToInt64(hash, 0)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Another node's claim holds its rows until it commits; skip them rather than wait and send them twice.
    protected override string ClaimLockClause => " FOR UPDATE SKIP LOCKED";
}
