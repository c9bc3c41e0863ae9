using System.Data.Common;
using System.Reflection;
using Mediation.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Mediation.Infrastructure.Persistence;

/// <summary>
/// Brings a database up to the newest schema with versioned, hand-written SQL (one folder per provider,
/// embedded in this assembly): each script runs once, in its own transaction, and is recorded in
/// schema_migrations. Scripts are only ever added, never edited, so an existing database upgrades in place
/// without losing data.
/// </summary>
public sealed class SchemaMigrator(MediationDbContext db, TimeProvider clock, ILogger<SchemaMigrator> logger)
{
    public sealed record Migration(int Version, string Name, string Sql);

    public static IReadOnlyList<Migration> For(DatabaseProvider provider)
    {
        var folder = provider == DatabaseProvider.Sqlite ? ".sqlite." : ".postgres.";
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Persistence.Migrations" + folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[(n.IndexOf(folder, StringComparison.Ordinal) + folder.Length)..^4];
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                var digits = file.Split('_')[0].TrimStart('_');
                return new Migration(int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture), file, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToList();
    }

    /// <summary>Applies the pending migrations up to <paramref name="upTo"/> (all by default); returns how many ran.</summary>
    public async Task<int> MigrateAsync(DatabaseProvider provider, int? upTo = null, CancellationToken cancellationToken = default)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (provider == DatabaseProvider.Sqlite)
                await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
            await ExecuteAsync(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
                cancellationToken);

            var applied = new HashSet<int>();
            await using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT version FROM schema_migrations";
                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                    applied.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
            }

            var ran = 0;
            foreach (var migration in For(provider).Where(m => !applied.Contains(m.Version) && m.Version <= (upTo ?? int.MaxValue)))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var dbTransaction = transaction.GetDbTransaction();
                await ExecuteAsync(connection, dbTransaction, migration.Sql, cancellationToken);
                await ExecuteAsync(connection, dbTransaction,
                    $"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({migration.Version}, '{migration.Name.Replace("'", "''", StringComparison.Ordinal)}', '{clock.GetUtcNow().UtcDateTime:O}')",
                    cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied schema migration {Version} {Name}", migration.Version, migration.Name);
                ran++;
            }
            return ran;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
