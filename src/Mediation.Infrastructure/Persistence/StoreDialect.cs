using System.Data.Common;
using System.Globalization;
using Mediation.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mediation.Infrastructure.Persistence;

/// <summary>
/// The SQL both databases speak alike; <see cref="SqliteDialect"/> and <see cref="PostgresDialect"/> override what
/// differs (Quartz's StdAdoDelegate and its per-database delegates are the model).
/// </summary>
public abstract class StoreDialect : IStoreDialect
{
    public abstract Task<long> NextCaseIdAsync(MediationDbContext db, CancellationToken cancellationToken);

    public abstract object DueDatesParameter(IReadOnlyList<DateOnly> dueDates);

    /// <summary>By default every given timer: a database with one writer at a time has no other batch to skip.</summary>
    public virtual Task<IReadOnlyList<long>> ClaimDueTimersAsync(MediationDbContext db, IReadOnlyList<long> timerIds, CancellationToken cancellationToken) =>
        Task.FromResult(timerIds);

    /// <summary>By default nothing: where writers queue one at a time, the key's record is read after the earlier commit.</summary>
    public virtual Task HoldIdempotencyKeyAsync(MediationDbContext db, long staffId, string key, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The due deliveries, leased in one statement; a database with several writers adds its row-lock clause.</summary>
    public async Task<IReadOnlyList<string>> ClaimWebhookDeliveriesAsync(MediationDbContext db, DateTime nowUtc, DateTime leaseUntilUtc, int max, CancellationToken cancellationToken)
    {
        await using var command = Command(db,
            "UPDATE webhook_deliveries SET next_attempt_at = @lease WHERE id IN (SELECT id FROM webhook_deliveries " +
            $"WHERE status = 'Pending' AND next_attempt_at <= @now ORDER BY next_attempt_at, id LIMIT @max{ClaimLockClause}) RETURNING id",
            ("@lease", leaseUntilUtc), ("@now", nowUtc), ("@max", max));
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Nothing by default: with one writer at a time no other claim can hold a row.</summary>
    protected virtual string ClaimLockClause => "";

    protected static DbCommand Command(MediationDbContext db, string sql, params (string Name, object Value)[] parameters)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    protected static async Task<long> ScalarAsync(MediationDbContext db, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(db, sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}
