using Mediation.Infrastructure.Backup;
using Mediation.Web.Commands;
using Microsoft.Data.Sqlite;

namespace Mediation.Web.Tests;

// SQLite's online backup, taken while another connection commits, restored and checked against its manifest.
public class BackupTests
{
    private const int EventsPerCase = 5;

    [Fact]
    public async Task BackupDuringWrites_RestoresToACommittedState_EveryCaseWithAllItsEvents()
    {
        var data = Folder();
        var database = Path.Combine(data, "mediation.db");
        await CreateAsync(database);
        Directory.CreateDirectory(Path.Combine(data, "attachments", "case-1"));
        await File.WriteAllTextAsync(Path.Combine(data, "attachments", "case-1", "协议书.txt"), "调解协议书");

        using var stop = new CancellationTokenSource();
        var writes = 0;
        var writer = Task.Run(async () =>
        {
            await using var connection = await OpenAsync(database);
            while (!stop.IsCancellationRequested)
            {
                // One case and its events in one transaction, as the product commits a registration.
                await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
                await Exec(connection, tx, "INSERT INTO cases (title) VALUES ('邻里纠纷')");
                for (var e = 0; e < EventsPerCase; e++)
                    await Exec(connection, tx, "INSERT INTO case_events (case_id, sequence) SELECT MAX(id), 0 FROM cases");
                await tx.CommitAsync();
                Interlocked.Increment(ref writes);
            }
        });
        var backups = new List<string>();
        var backupFolder = Path.Combine(data, "backups");
        while (backups.Count < 3)
        {
            if (Volatile.Read(ref writes) < (backups.Count + 1) * 20)
            {
                await Task.Yield();
                continue;
            }
            var report = await SqliteBackup.BackupAsync($"Data Source={database}", backupFolder, new Clock(DateTimeOffset.UtcNow.AddSeconds(backups.Count)));
            Assert.True(report.Ok, string.Join('\n', report.Lines));
            backups.Add(report.Folder!);
        }
        await stop.CancelAsync();
        await writer;
        var finalCases = await CountAsync(database, "SELECT COUNT(*) FROM cases");

        var takenMidway = 0;
        foreach (var backup in backups)
        {
            var restored = Path.Combine(Folder(), "restored");
            var report = await SqliteBackup.RestoreAsync(backup, restored);
            Assert.True(report.Ok, string.Join('\n', report.Lines));
            var file = Path.Combine(restored, "mediation.db");
            var cases = await CountAsync(file, "SELECT COUNT(*) FROM cases");
            Assert.Equal(cases * EventsPerCase, await CountAsync(file, "SELECT COUNT(*) FROM case_events"));
            Assert.Equal(0, await CountAsync(file, $"SELECT COUNT(*) FROM (SELECT case_id FROM case_events GROUP BY case_id HAVING COUNT(*) <> {EventsPerCase})"));
            Assert.Equal("调解协议书", await File.ReadAllTextAsync(Path.Combine(restored, "attachments", "case-1", "协议书.txt")));
            if (cases < finalCases)
                takenMidway++;
        }
        Assert.True(takenMidway > 0, "every backup was taken after the writes stopped");
    }

    [Fact]
    public async Task Restore_IntoNonEmptyFolder_IsRefused_AndWritesNothing()
    {
        var backup = await BackupOfNewDatabaseAsync();
        var target = Folder();
        await File.WriteAllTextAsync(Path.Combine(target, "keep.txt"), "x");

        var report = await SqliteBackup.RestoreAsync(backup, target);

        Assert.False(report.Ok);
        Assert.Contains("not empty", report.Lines[0], StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target, "mediation.db")));
    }

    [Fact]
    public async Task Restore_TamperedBackup_IsRefused_NamingTheFile()
    {
        var backup = await BackupOfNewDatabaseAsync();
        await File.AppendAllTextAsync(Path.Combine(backup, "attachments", "a.txt"), "changed");
        var target = Path.Combine(Folder(), "restored");

        var report = await SqliteBackup.RestoreAsync(backup, target);

        Assert.False(report.Ok);
        Assert.Contains(report.Lines, l => l.StartsWith("changed  attachments/a.txt", StringComparison.Ordinal));
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task Retention_KeepsTheNewestN()
    {
        var data = Folder();
        var database = Path.Combine(data, "mediation.db");
        await CreateAsync(database);
        var to = Path.Combine(data, "backups");
        var start = new DateTimeOffset(2026, 12, 1, 18, 30, 0, TimeSpan.Zero);
        for (var day = 0; day < 5; day++)
            Assert.True((await SqliteBackup.BackupAsync($"Data Source={database}", to, new Clock(start.AddDays(day)))).Ok);

        var removed = SqliteBackup.Prune(to, 3);

        Assert.Equal(2, removed.Count);
        Assert.Equal(["backup-20261203-183000-000", "backup-20261204-183000-000", "backup-20261205-183000-000"],
            Directory.GetDirectories(to).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Commands_BackupThenRestoreThenVerify_ExitCodes_AndPostgresIsSentToPgDump()
    {
        var data = Folder();
        var database = Path.Combine(data, "mediation.db");
        await CreateAsync(database);
        var output = new StringWriter();
        var errors = new StringWriter();

        Assert.Equal(0, await CommandLine.RunWithoutHostAsync(["backup", "--to", Path.Combine(data, "backups"), $"--Mediation:ConnectionString={database}"], output, errors));
        var backup = Directory.GetDirectories(Path.Combine(data, "backups")).Single();
        var restored = Path.Combine(Folder(), "r");
        Assert.Equal(0, await CommandLine.RunWithoutHostAsync(["restore", backup, "--to", restored], output, errors));
        Assert.Equal(1, await CommandLine.RunWithoutHostAsync(["restore", backup, "--to", restored], output, errors));
        Assert.Equal(2, await CommandLine.RunWithoutHostAsync(["restore", backup], output, errors));
        // This table-only database lacks the product's migrations, which verify reports.
        Assert.Equal(1, await CommandLine.RunWithoutHostAsync(["verify", Path.Combine(restored, "mediation.db")], output, errors));
        Assert.Contains("integrity_check: ok", output.ToString() + errors, StringComparison.Ordinal);
        Assert.Contains("migrations: applied up to 0, this build has", errors.ToString(), StringComparison.Ordinal);

        var pg = new StringWriter();
        Assert.Equal(2, await CommandLine.RunWithoutHostAsync(["backup", "--Mediation:Provider=Postgres"], TextWriter.Null, pg));
        Assert.Contains("pg_dump", pg.ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> BackupOfNewDatabaseAsync()
    {
        var data = Folder();
        var database = Path.Combine(data, "mediation.db");
        await CreateAsync(database);
        Directory.CreateDirectory(Path.Combine(data, "attachments"));
        await File.WriteAllTextAsync(Path.Combine(data, "attachments", "a.txt"), "a");
        var report = await SqliteBackup.BackupAsync($"Data Source={database}", Path.Combine(data, "backups"), TimeProvider.System);
        Assert.True(report.Ok);
        return report.Folder!;
    }

    private static async Task CreateAsync(string database)
    {
        await using var connection = await OpenAsync(database);
        await Exec(connection, null, "PRAGMA journal_mode = WAL; CREATE TABLE cases (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL); " +
            "CREATE TABLE case_events (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases (id), sequence INTEGER NOT NULL);");
    }

    private static async Task<SqliteConnection> OpenAsync(string database)
    {
        var connection = new SqliteConnection($"Data Source={database};Pooling=False;Default Timeout=10");
        await connection.OpenAsync();
        return connection;
    }

    private static async Task Exec(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = await OpenAsync(database);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static string Folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-web-tests", "backup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
