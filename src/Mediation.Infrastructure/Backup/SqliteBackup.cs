using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Mediation.Infrastructure.Backup;

/// <summary>What a backup folder holds: when it was taken, the schema version, rows per main table, and each file's SHA-256.</summary>
public sealed record BackupManifest(DateTimeOffset TakenAt, int SchemaVersion, IReadOnlyDictionary<string, long> Counts, IReadOnlyDictionary<string, string> Files);

/// <summary>A check's outcome: the lines the operator reads, and whether everything held.</summary>
public sealed record BackupReport(bool Ok, IReadOnlyList<string> Lines, string? Folder = null);

/// <summary>
/// Online backup of the SQLite database through SQLite's backup API (a consistent copy while the product writes), with the
/// attachments folder beside it and a manifest; restore into an empty folder, checked against the manifest.
/// </summary>
public static class SqliteBackup
{
    public const string DatabaseFile = "mediation.db";
    public const string ManifestFile = "manifest.json";
    public const string AttachmentsFolder = "attachments";

    public static readonly string[] MainTables =
        ["org_units", "staff_members", "cases", "case_events", "parties", "mediation_sessions", "agreements", "follow_up_visits", "case_timers", "notices"];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Backs the database up into a new timestamped folder under <paramref name="toFolder"/>.</summary>
    public static async Task<BackupReport> BackupAsync(string connectionString, string toFolder, TimeProvider clock, CancellationToken ct = default)
    {
        var source = new SqliteConnectionStringBuilder(connectionString);
        if (!File.Exists(source.DataSource))
            return new(false, [$"No database at {Path.GetFullPath(source.DataSource)}."]);
        var now = clock.GetUtcNow();
        var folder = Path.Combine(toFolder, "backup-" + now.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, DatabaseFile);
        await using (var from = new SqliteConnection(source.ToString()))
        await using (var to = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString()))
        {
            await from.OpenAsync(ct);
            await to.OpenAsync(ct);
            from.BackupDatabase(to);
        }
        var attachments = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source.DataSource))!, AttachmentsFolder);
        if (Directory.Exists(attachments))
            CopyFolder(attachments, Path.Combine(folder, AttachmentsFolder));
        var (version, counts) = await ReadAsync(target, ct);
        var manifest = new BackupManifest(now, version, counts, Hashes(folder));
        await File.WriteAllTextAsync(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, Json), ct);
        return new(true, [$"Backed up to {folder}", $"schema version {version}", .. counts.Select(c => $"  {c.Key,-20} {c.Value}")], folder);
    }

    /// <summary>Keeps the newest <paramref name="keep"/> backup folders, removing the oldest; returns the removed ones.</summary>
    public static IReadOnlyList<string> Prune(string folder, int keep)
    {
        if (!Directory.Exists(folder))
            return [];
        var old = Directory.GetDirectories(folder, "backup-*").Where(d => File.Exists(Path.Combine(d, ManifestFile)))
            .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal).Skip(Math.Max(keep, 1)).ToList();
        foreach (var d in old)
            Directory.Delete(d, recursive: true);
        return old;
    }

    /// <summary>Restores a backup folder into an empty folder; refuses a non-empty target or a file unlike its manifest.</summary>
    public static async Task<BackupReport> RestoreAsync(string backup, string toFolder, CancellationToken ct = default)
    {
        if (File.Exists(backup))
            backup = Path.GetDirectoryName(Path.GetFullPath(backup))!;
        var manifestPath = Path.Combine(backup, ManifestFile);
        if (!File.Exists(manifestPath))
            return new(false, [$"No {ManifestFile} in {backup}: not a backup folder."]);
        if (Directory.Exists(toFolder) && Directory.EnumerateFileSystemEntries(toFolder).Any())
            return new(false, [$"{toFolder} is not empty: restore only into an empty folder, nothing was written."]);
        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(manifestPath, ct))!;
        var lines = new List<string>();
        var actual = Hashes(backup);
        foreach (var (file, hash) in manifest.Files)
        {
            if (!actual.TryGetValue(file, out var found))
                lines.Add($"missing  {file}");
            else if (!string.Equals(found, hash, StringComparison.Ordinal))
                lines.Add($"changed  {file}: SHA-256 {found}, manifest {hash}");
        }
        lines.AddRange(actual.Keys.Except(manifest.Files.Keys).Select(f => $"not in manifest  {f}"));
        if (lines.Count > 0)
            return new(false, ["The backup does not match its manifest; nothing was restored.", .. lines]);

        Directory.CreateDirectory(toFolder);
        File.Copy(Path.Combine(backup, DatabaseFile), Path.Combine(toFolder, DatabaseFile));
        if (Directory.Exists(Path.Combine(backup, AttachmentsFolder)))
            CopyFolder(Path.Combine(backup, AttachmentsFolder), Path.Combine(toFolder, AttachmentsFolder));
        var verified = await VerifyAsync(Path.Combine(toFolder, DatabaseFile), manifest.Counts, ct: ct);
        return verified with { Lines = [$"Restored {backup} into {toFolder}", .. verified.Lines], Folder = toFolder };
    }

    /// <summary>Integrity, foreign keys, migrations applied and row counts (compared with <paramref name="expected"/> when given).</summary>
    public static async Task<BackupReport> VerifyAsync(string database, IReadOnlyDictionary<string, long>? expected = null, int? latestMigration = null, CancellationToken ct = default)
    {
        if (!File.Exists(database))
            return new(false, [$"No database at {Path.GetFullPath(database)}."]);
        var lines = new List<string>();
        var ok = true;
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        var integrity = await ScalarsAsync(connection, "PRAGMA integrity_check", ct);
        ok &= integrity is ["ok"];
        lines.Add($"integrity_check: {string.Join("; ", integrity)}");
        var foreignKeys = await ScalarsAsync(connection, "PRAGMA foreign_key_check", ct);
        ok &= foreignKeys.Count == 0;
        lines.Add(foreignKeys.Count == 0 ? "foreign keys: ok" : $"foreign keys: {foreignKeys.Count} row(s) point at nothing (first in table {foreignKeys[0]})");
        var (version, counts) = await ReadAsync(connection, ct);
        if (latestMigration is { } latest && version != latest)
        {
            ok = false;
            lines.Add($"migrations: applied up to {version}, this build has {latest}");
        }
        else
        {
            lines.Add($"migrations: applied up to {version}");
        }
        foreach (var (table, count) in counts)
        {
            var differs = expected is not null && (!expected.TryGetValue(table, out var want) || want != count);
            ok &= !differs;
            lines.Add(differs ? $"  {table,-20} {count} (backup says {expected![table]})" : $"  {table,-20} {count}");
        }
        return new(ok, lines);
    }

    private static async Task<(int Version, Dictionary<string, long> Counts)> ReadAsync(string database, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        return await ReadAsync(connection, ct);
    }

    private static async Task<(int Version, Dictionary<string, long> Counts)> ReadAsync(SqliteConnection connection, CancellationToken ct)
    {
        var tables = (await ScalarsAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table'", ct)).ToHashSet(StringComparer.Ordinal);
        var version = tables.Contains("schema_migrations") ? (await ScalarsAsync(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", ct)).Select(int.Parse).Single() : 0;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in MainTables.Where(tables.Contains))
            counts[table] = long.Parse((await ScalarsAsync(connection, $"SELECT COUNT(*) FROM \"{table}\"", ct))[0], CultureInfo.InvariantCulture);
        return (version, counts);
    }

    private static async Task<List<string>> ScalarsAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var values = new List<string>();
        while (await reader.ReadAsync(ct))
            values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? "");
        return values;
    }

    private static Dictionary<string, string> Hashes(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ManifestFile)
            .ToDictionary(f => Path.GetRelativePath(folder, f).Replace('\\', '/'), f => Hash(f), StringComparer.Ordinal);

    private static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
