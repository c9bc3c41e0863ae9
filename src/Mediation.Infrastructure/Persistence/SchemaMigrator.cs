using System.Data.Common;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Mediation.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace Mediation.Infrastructure.Persistence;

/// <summary>
/// Brings a database up to the newest schema with versioned, hand-written SQL (one folder per provider,
/// embedded in this assembly): each script runs once, in its own transaction, and is recorded in
/// schema_migrations with its checksum. Scripts are only ever added, never edited (ADR 6), so an existing
/// database upgrades in place without losing data; a database from a newer build, or one whose applied
/// scripts differ from this build's, is refused before anything is written.
/// </summary>
public sealed class SchemaMigrator(MediationDbContext db, TimeProvider clock, ILogger<SchemaMigrator> logger)
{
    public sealed record Migration(int Version, string Name, string Sql)
    {
        /// <summary>SHA-256 of the script with line endings made LF, so a checkout's line-ending setting does not count as an edit.</summary>
        public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.Replace("\r\n", "\n", StringComparison.Ordinal))));
    }

    private sealed record Applied(int Version, string Name, string? Checksum);

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
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL, checksum TEXT NULL)",
                cancellationToken);
            // Databases migrated before checksums were recorded have the table without the column.
            if (!await HasChecksumColumnAsync(connection, provider, cancellationToken))
                await ExecuteAsync(connection, null, "ALTER TABLE schema_migrations ADD COLUMN checksum TEXT NULL", cancellationToken);

            var known = For(provider);
            var applied = await AppliedAsync(connection, cancellationToken);
            await CheckAppliedAsync(connection, known, applied, cancellationToken);

            var done = applied.Select(a => a.Version).ToHashSet();
            var ran = 0;
            foreach (var migration in known.Where(m => !done.Contains(m.Version) && m.Version <= (upTo ?? int.MaxValue)))
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var dbTransaction = transaction.GetDbTransaction();
                await ExecuteAsync(connection, dbTransaction, migration.Sql, cancellationToken);
                await ExecuteAsync(connection, dbTransaction,
                    "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (@version, @name, @at, @checksum)",
                    cancellationToken,
                    ("@version", migration.Version), ("@name", migration.Name), ("@at", clock.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)), ("@checksum", migration.Checksum));
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

    // Refuses a database this build cannot vouch for; records the checksums of scripts applied before checksums existed,
    // trusting this build's files for them.
    private async Task CheckAppliedAsync(DbConnection connection, IReadOnlyList<Migration> known, IReadOnlyList<Applied> applied, CancellationToken cancellationToken)
    {
        var newest = known.Count == 0 ? 0 : known[^1].Version;
        if (applied.Count > 0 && applied.Max(a => a.Version) is var dbVersion && dbVersion > newest)
        {
            var name = applied.First(a => a.Version == dbVersion).Name;
            throw new StartupRefusedException(
                $"The database's schema is at version {dbVersion} ({name}), newer than this build knows (version {newest}, {(known.Count == 0 ? "none" : known[^1].Name)}). " +
                "Run the build that migrated it, or a newer one; an older build could misread or damage its data.");
        }
        var byVersion = known.ToDictionary(m => m.Version);
        foreach (var a in applied)
        {
            if (!byVersion.TryGetValue(a.Version, out var migration))
            {
                throw new StartupRefusedException(
                    $"The database records schema migration {a.Version} ({a.Name}), which this build does not ship (its newest is {newest}). " +
                    "Published migrations are never removed (ADR 6); run the build that applied it.");
            }
            if (a.Checksum is null)
            {
                await ExecuteAsync(connection, null, "UPDATE schema_migrations SET checksum = @checksum WHERE version = @version AND checksum IS NULL",
                    cancellationToken, ("@checksum", migration.Checksum), ("@version", a.Version));
                logger.LogInformation("Recorded the checksum of schema migration {Version} {Name}, applied before checksums were kept", a.Version, a.Name);
            }
            else if (!string.Equals(a.Checksum, migration.Checksum, StringComparison.OrdinalIgnoreCase))
            {
                throw new StartupRefusedException(
                    $"Schema migration {a.Version} was applied from a script whose checksum was {a.Checksum}, but this build's {migration.Name}.sql has checksum {migration.Checksum}. " +
                    "Published migrations are never edited (ADR 6): restore the file as released and put the change in a new migration.");
            }
        }
    }

    private static async Task<bool> HasChecksumColumnAsync(DbConnection connection, DatabaseProvider provider, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'"
            : "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static async Task<List<Applied>> AppliedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var applied = new List<Applied>();
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT version, name, checksum FROM schema_migrations ORDER BY version";
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add(new Applied(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2)));
        }
        return applied;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
