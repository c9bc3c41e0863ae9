namespace Mediation.Application.Persistence;

/// <summary>
/// What the application needs from its database that each database says in its own SQL. Infrastructure keeps one
/// per provider (SqliteDialect, PostgresDialect), as Quartz keeps a delegate per database; Application states the
/// need and never asks which database it is on. Every call runs in the command's current transaction.
/// </summary>
public interface IStoreDialect
{
    /// <summary>The id the next registered case is written with; unique across every node on the database.</summary>
    Task<long> NextCaseIdAsync(MediationDbContext db, CancellationToken cancellationToken);

    /// <summary>An agreement's due dates as the agreements.due_dates column takes them as a parameter.</summary>
    object DueDatesParameter(IReadOnlyList<DateOnly> dueDates);

    /// <summary>
    /// Of the given due timers, the ones this transaction now owns until it ends, in the order given: a timer (and its
    /// case) that another node's batch holds is left to that node, so nodes share due work without waiting on each other.
    /// </summary>
    Task<IReadOnlyList<long>> ClaimDueTimersAsync(MediationDbContext db, IReadOnlyList<long> timerIds, CancellationToken cancellationToken);

    /// <summary>
    /// Holds a staff member's idempotency key until the transaction ends, so a retry that reached another node at the
    /// same moment waits for the first and then finds its recorded answer.
    /// </summary>
    Task HoldIdempotencyKeyAsync(MediationDbContext db, long staffId, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="max"/> pending webhook deliveries due by <paramref name="nowUtc"/> to this transaction's
    /// node until <paramref name="leaseUntilUtc"/>, skipping rows another node's claim holds; answers their ids.
    /// </summary>
    Task<IReadOnlyList<string>> ClaimWebhookDeliveriesAsync(MediationDbContext db, DateTime nowUtc, DateTime leaseUntilUtc, int max, CancellationToken cancellationToken);
}
