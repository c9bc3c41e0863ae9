using System.Data.Common;
using Mediation.Application.Persistence;
using Mediation.Infrastructure;
using Mediation.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mediation.Application.Tests;

public class PersistenceTests
{
    [Fact]
    public async Task Migrations_BuildExactlyTheSchemaTheModelExpects()
    {
        await using var host = await MediationHost.StartAsync();
        if (host.Provider == DatabaseProvider.Postgres)
        {
            var migratedTables = await PostgresSchema(host.PostgresConnection!);

            // The model's own schema, as EF Core would create it, on another fresh database of the cluster.
            var model = await Mediation.Testing.TestPostgres.CreateDatabaseAsync();
            try
            {
                var modelOptions = new DbContextOptionsBuilder<MediationDbContext>();
                PostgresModel.Use(modelOptions, model);
                await using (var db = new MediationDbContext(modelOptions.Options))
                    await db.Database.EnsureCreatedAsync();
                var byModel = await PostgresSchema(model);
                var byMigrations = migratedTables.Where(line => !line.StartsWith("schema_migrations ", StringComparison.Ordinal)).ToList();
                var differences = byModel.Except(byMigrations).Select(line => "the model has, the migrations lack: " + line)
                    .Concat(byMigrations.Except(byModel).Select(line => "the migrations have, the model lacks: " + line)).ToList();
                Assert.True(differences.Count == 0, string.Join(Environment.NewLine, differences));
            }
            finally
            {
                await Mediation.Testing.TestPostgres.DropDatabaseAsync(model);
            }
            return;
        }
        var migrated = await Schema(host.DatabaseFile);

        var expectedFile = Path.Combine(host.Folder, "model.db");
        var options = new DbContextOptionsBuilder<MediationDbContext>().UseSqlite($"Data Source={expectedFile}").Options;
        await using (var db = new MediationDbContext(options))
            await db.Database.EnsureCreatedAsync();
        var expected = await Schema(expectedFile);

        Assert.Equal(expected, migrated.Where(line => !line.StartsWith("schema_migrations", StringComparison.Ordinal) && !line.StartsWith("trigger", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SqliteAndPostgresMigrations_DefineTheSameTablesColumnsAndIndexes()
    {
        await using var sqlite = await MediationHost.StartAsync(provider: DatabaseProvider.Sqlite);
        await using var postgres = await MediationHost.StartAsync(provider: DatabaseProvider.Postgres);

        var onSqlite = (await Schema(sqlite.DatabaseFile)).Where(line => !line.StartsWith("trigger", StringComparison.Ordinal))
            .Select(line => line.Split(' ')).Select(parts => parts[1] == "table"
                ? $"{parts[0]} table {string.Join(",", parts[2].Split(',').Select(column => column.Split(':')[0]).Order(StringComparer.Ordinal))}"
                : $"{parts[0]} index")
            .Order(StringComparer.Ordinal);
        var onPostgres = await PostgresNames(postgres.PostgresConnection!);

        Assert.Equal(onSqlite, onPostgres);
    }

    [Fact]
    public async Task UpgradingADatabaseWithCases_KeepsThemAndBackfillsTheTallies()
    {
        // An empty database on the run's provider, outside any host: a SQLite file, or a database of its own on the cluster.
        var provider = Mediation.Testing.TestPostgres.IsProvider ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        var folder = Path.Combine(Path.GetTempPath(), "mediation-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var postgres = provider == DatabaseProvider.Postgres ? await Mediation.Testing.TestPostgres.CreateDatabaseAsync() : null;
        var options = new DbContextOptionsBuilder<MediationDbContext>();
        if (postgres is not null)
            PostgresModel.Use(options, postgres);
        else
            options.UseSqlite($"Data Source={Path.Combine(folder, "old.db")}");
        await using (var db = new MediationDbContext(options.Options))
        {
            // A street that installed the first release: schema version 1 only, with a case in it.
            var migrator = new SchemaMigrator(db, TimeProvider.System, NullLogger<SchemaMigrator>.Instance);
            Assert.Equal(1, await migrator.MigrateAsync(provider, upTo: 1));
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO org_units (id, code, name, kind, parent_id, path) VALUES (1, 'LS', '临山街道', 'streetCenter', NULL, '/1/');
                INSERT INTO cases (id, case_number, workflow_key, workflow_version, state, level, outcome, unit_id, unit_path, first_responsible_id, owner_id,
                  channel, category, summary, description, amount_in_dispute, risk_level, risk_signals, is_major, party_count, applicant_name,
                  registered_at, level_entered_at, deadline_at, closed_at, updated_at, version, sort_key)
                VALUES (1, 'LS-2025-000001', 'mediation-1-9-n', 1, 'closed', 'center', 'resolved', 1, '/1/', 1, 1, 'WalkIn', 'Neighbour', '旧案', NULL, NULL,
                  'Low', 0, FALSE, 2, '张三', '2025-05-01 00:00:00', '2025-05-01 00:00:00', NULL, '2025-05-09 00:00:00', '2025-05-09 00:00:00', 5, 4e18);
                """);

            Assert.Equal(SchemaMigrator.For(provider).Count - 1, await migrator.MigrateAsync(provider));
            Assert.Equal(0, await migrator.MigrateAsync(provider));
            var tally = await db.CaseTallies.AsNoTracking().SingleAsync();
            Assert.Equal((1L, "center", "closed", "resolved", 1L), (tally.UnitId, tally.Level, tally.State, tally.Outcome, tally.Count));
            Assert.Equal("旧案", await db.Cases.Select(c => c.Summary).SingleAsync());
        }
        SqliteConnection.ClearAllPools();
        if (postgres is not null)
            await Mediation.Testing.TestPostgres.DropDatabaseAsync(postgres);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void ModelBuildsForPostgreSql_AndBothProvidersShipTheSameMigrations()
    {
        var options = new DbContextOptionsBuilder<MediationDbContext>().UseNpgsql("Host=unused").Options;
        using var db = new MediationDbContext(options);
        var script = db.Database.GenerateCreateScript();
        Assert.Contains("CREATE TABLE cases", script, StringComparison.Ordinal);
        Assert.Contains("timestamp with time zone", script, StringComparison.Ordinal);

        Assert.Equal(
            SchemaMigrator.For(DatabaseProvider.Sqlite).Select(m => (m.Version, m.Name)),
            SchemaMigrator.For(DatabaseProvider.Postgres).Select(m => (m.Version, m.Name)));
    }

    [Fact]
    public async Task CaseHistory_CannotBeRewritten()
    {
        await using var host = await MediationHost.StartAsync();
        await host.SendAs("cun01-1", Disputes.Neighbour());

        var update = await Assert.ThrowsAnyAsync<DbException>(() => host.Query(db => db.Database.ExecuteSqlRawAsync("UPDATE case_events SET actor_name = '某人'")));
        Assert.Contains("case events are immutable", update.Message, StringComparison.Ordinal);
        var delete = await Assert.ThrowsAnyAsync<DbException>(() => host.Query(db => db.Database.ExecuteSqlRawAsync("DELETE FROM case_events")));
        Assert.Contains("case events are immutable", delete.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Provider", "Sqlite")]
    public async Task DatabaseRunsInWalWithFullSync()
    {
        await using var host = await MediationHost.StartAsync(provider: DatabaseProvider.Sqlite);
        var (journal, synchronous) = await host.Query(async db =>
        {
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            var mode = (string)(await command.ExecuteScalarAsync())!;
            command.CommandText = "PRAGMA synchronous";
            var sync = (long)(await command.ExecuteScalarAsync())!;
            return (mode, sync);
        });
        Assert.Equal(("wal", 2L), (journal, synchronous));
    }

    [Fact]
    public async Task Logs_CarryNoPersonalData()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        await Assert.ThrowsAnyAsync<Exception>(() => host.SendAs("cun02-1", new Features.Cases.GetCase.GetCase(mediating.CaseId)));
        await Assert.ThrowsAnyAsync<Exception>(() => host.SendAs("cun01-1", Disputes.Neighbour() with { Summary = "" }));

        Assert.NotEmpty(host.LogLines);
        Assert.DoesNotContain(host.LogLines, line => line.Contains(Disputes.ApplicantPhone, StringComparison.Ordinal));
        Assert.DoesNotContain(host.LogLines, line => line.Contains(Disputes.ApplicantIdNumber, StringComparison.Ordinal));
        Assert.DoesNotContain(host.LogLines, line => line.Contains("王秀英", StringComparison.Ordinal));
    }

    // Each table's columns (type, length, nullability, identity), each constraint and each index as PostgreSQL defines them.
    private static async Task<List<string>> PostgresSchema(string connectionString)
    {
        var lines = await PostgresLines(connectionString, """
            SELECT c.table_name || ' column ' || c.column_name || ':' || c.data_type || ':' || coalesce(c.character_maximum_length::text, '')
                || ':' || coalesce(c.numeric_precision::text || ',' || c.numeric_scale::text, '') || ':' || c.is_nullable || ':' || c.is_identity
                || ':' || coalesce(c.collation_name, '')
            FROM information_schema.columns c WHERE c.table_schema = current_schema()
            UNION ALL
            SELECT t.relname || ' constraint ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema()
            UNION ALL
            SELECT tablename || ' index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
            """);
        return lines;
    }

    // In the shape of the SQLite side of the comparison: each table with its column names, each index that backs no constraint.
    private static async Task<List<string>> PostgresNames(string connectionString) =>
        (await PostgresLines(connectionString, """
            SELECT table_name || ' table ' || string_agg(column_name, ',' ORDER BY column_name COLLATE "C")
            FROM information_schema.columns WHERE table_schema = current_schema() GROUP BY table_name
            UNION ALL
            SELECT i.relname || ' index' FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace
            WHERE n.nspname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
            """)).Order(StringComparer.Ordinal).ToList();

    private static async Task<List<string>> PostgresLines(string connectionString, string sql)
    {
        await using var connection = await Mediation.Testing.TestDatabase.OpenAsync(connectionString, "");
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            lines.Add(reader.GetString(0));
        return lines.Order(StringComparer.Ordinal).ToList();
    }

    internal static async Task<List<string>> Schema(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        var lines = new List<string>();
        var tables = new List<(string Type, string Name)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                tables.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (type, name) in tables)
        {
            if (type == "trigger")
            {
                lines.Add($"trigger {name}");
                continue;
            }
            await using var command = connection.CreateCommand();
            command.CommandText = type == "table" ? $"PRAGMA table_info(\"{name}\")" : $"PRAGMA index_info(\"{name}\")";
            await using var reader = await command.ExecuteReaderAsync();
            var columns = new List<string>();
            while (await reader.ReadAsync())
                columns.Add(type == "table" ? $"{reader.GetString(1)}:{reader.GetString(2)}:{reader.GetInt64(3)}:{reader.GetInt64(5)}" : reader.GetString(2));
            // Column order carries no meaning, and ALTER TABLE can only append: compare the set.
            lines.Add($"{name} {type} {string.Join(",", type == "table" ? columns.Order(StringComparer.Ordinal) : columns)}");
        }
        return lines.Order(StringComparer.Ordinal).ToList();
    }
}
