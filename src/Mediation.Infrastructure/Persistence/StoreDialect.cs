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
