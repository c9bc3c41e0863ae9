using Mediation.Application.Persistence;
using Mediation.Infrastructure;
using Mediation.Infrastructure.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mediation.Application.Tests;

// The first release shipped SQLite only: its schema, upgraded in place, is a SQLite concern.
[Trait("Provider", "Sqlite")]
public sealed class SchemaSafetyTests : IDisposable
{
    private static readonly string Released = Path.Combine(AppContext.BaseDirectory, "Fixtures", "released-1.0", "sqlite");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mediation-tests", Guid.NewGuid().ToString("N"));

    public SchemaSafetyTests() => Directory.CreateDirectory(_folder);

    private string File => Path.Combine(_folder, "street.db");

    [Fact]
    public async Task Upgrade_FromTheFirstReleasedSchema_KeepsItsCases_RecordsChecksums_AndEndsAtTheModel()
    {
        await CreateAsReleased();
        await ExecuteAsync("""
            INSERT INTO org_units (id, code, name, kind, parent_id, path) VALUES (1, 'LS', '临山街道', 'streetCenter', NULL, '/1/');
            INSERT INTO staff_members (id, user_name, display_name, role, unit_id) VALUES (1, 'zx-1', '陈主任', 'centerMediator', 1);
            INSERT INTO cases (id, case_number, workflow_key, workflow_version, state, level, outcome, unit_id, unit_path, first_responsible_id, owner_id,
              channel, category, summary, description, amount_in_dispute, risk_level, risk_signals, is_major, party_count, applicant_name,
              registered_at, level_entered_at, deadline_at, closed_at, updated_at, version, sort_key)
            VALUES (1, 'LS-2025-000001', 'mediation-1-9-n', 1, 'closed', 'center', 'resolved', 1, '/1/', 1, 1, 'WalkIn', 'Neighbour', '旧案', NULL, NULL,
              'Low', 0, 0, 2, '张三', '2025-05-01 00:00:00', '2025-05-01 00:00:00', NULL, '2025-05-09 00:00:00', '2025-05-09 00:00:00', 5, 4e18);
            INSERT INTO parties (case_id, role, name, phone, id_number, address) VALUES (1, 'Applicant', '张三', '13905318842', NULL, NULL);
            INSERT INTO agreements (case_id, terms, accepted_by_parties, due_dates, signed_at) VALUES (1, '赔偿500元', 1, '["2025-06-01"]', '2025-05-08 00:00:00');
            INSERT INTO follow_up_visits (case_id, owner_id, unit_id, due_on, due_at, grace_ends_at, reason, status)
              VALUES (1, 1, 1, '2025-05-16', '2025-05-15 16:00:00', '2025-05-20 16:00:00', '结案后7日回访', 'Scheduled');
            """);

        var ran = await MigrateAsync();

        Assert.Equal(SchemaMigrator.For(DatabaseProvider.Sqlite).Count(m => m.Version > 4), ran);
        await using (var db = Context())
        {
            var kept = await db.Cases.AsNoTracking().Include(c => c.Agreements).Include(c => c.Parties).SingleAsync();
            Assert.Equal(("旧案", "赔偿500元", "13905318842"), (kept.Summary, kept.Agreement!.Terms, kept.Parties[0].Phone));
            Assert.Equal([new DateOnly(2025, 6, 1)], kept.Agreement.DueDates);
            Assert.Equal(Domain.FollowUps.FollowUpStatus.Scheduled, (await db.FollowUps.AsNoTracking().SingleAsync()).Status);
        }
        Assert.Equal(SchemaMigrator.For(DatabaseProvider.Sqlite).Select(m => (m.Version, m.Checksum)), await RecordedChecksums());

        var modelFile = Path.Combine(_folder, "model.db");
        await using (var model = new MediationDbContext(new DbContextOptionsBuilder<MediationDbContext>().UseSqlite($"Data Source={modelFile}").Options))
            await model.Database.EnsureCreatedAsync();
        var migrated = await PersistenceTests.Schema(File);
        Assert.Equal(await PersistenceTests.Schema(modelFile),
            migrated.Where(line => !line.StartsWith("schema_migrations", StringComparison.Ordinal) && !line.StartsWith("trigger", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Start_OnADatabaseFromANewerBuild_IsRefused_NamingBothVersions()
    {
        await MigrateAsync();
        await ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (9001, '9001_from_a_newer_build', '2027-01-01', 'abc')");
        var newest = SchemaMigrator.For(DatabaseProvider.Sqlite)[^1].Version;

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(MigrateAsync);

        Assert.Contains("version 9001 (9001_from_a_newer_build)", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"version {newest}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WhenAnAppliedMigrationDiffersFromItsFile_IsRefused_NamingVersionFileAndBothHashes()
    {
        await MigrateAsync();
        var tallies = SchemaMigrator.For(DatabaseProvider.Sqlite).Single(m => m.Version == 2);
        var asApplied = new string('0', 64);
        await ExecuteAsync($"UPDATE schema_migrations SET checksum = '{asApplied}' WHERE version = 2");

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(MigrateAsync);

        Assert.Contains("migration 2 ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("0002_case_tallies.sql", refused.Message, StringComparison.Ordinal);
        Assert.Contains(asApplied, refused.Message, StringComparison.Ordinal);
        Assert.Contains(tallies.Checksum, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShippedMigrations_ThroughTheFirstRelease_AreTheReleasedFiles()
    {
        var shipped = SchemaMigrator.For(DatabaseProvider.Sqlite).Where(m => m.Version <= 4).ToList();

        Assert.Equal(Directory.GetFiles(Released, "*.sql").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal), shipped.Select(m => m.Name));
        Assert.All(shipped, m => Assert.Equal(new SchemaMigrator.Migration(m.Version, m.Name, System.IO.File.ReadAllText(Path.Combine(Released, m.Name + ".sql"))).Checksum, m.Checksum));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    // What 1.0 left behind: its four scripts applied and recorded in a schema_migrations table without checksums.
    private async Task CreateAsReleased()
    {
        await ExecuteAsync("CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
        foreach (var script in Directory.GetFiles(Released, "*.sql").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(script);
            await ExecuteAsync(await System.IO.File.ReadAllTextAsync(script) +
                $"\nINSERT INTO schema_migrations (version, name, applied_at) VALUES ({int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture)}, '{name}', '2025-04-01T00:00:00.0000000Z');");
        }
    }

    private MediationDbContext Context() => new(new DbContextOptionsBuilder<MediationDbContext>().UseSqlite($"Data Source={File}").Options);

    private async Task<int> MigrateAsync()
    {
        await using var db = Context();
        return await new SchemaMigrator(db, TimeProvider.System, NullLogger<SchemaMigrator>.Instance).MigrateAsync(DatabaseProvider.Sqlite);
    }

    private async Task<List<(int, string)>> RecordedChecksums()
    {
        await using var connection = new SqliteConnection($"Data Source={File};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, checksum FROM schema_migrations ORDER BY version";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt32(0), reader.GetString(1)));
        return rows;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={File};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
