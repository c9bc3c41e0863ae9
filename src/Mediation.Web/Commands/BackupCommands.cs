using Mediation.Infrastructure;
using Mediation.Infrastructure.Backup;
using Mediation.Infrastructure.Persistence;

namespace Mediation.Web.Commands;

/// <summary>
/// <c>backup</c>, <c>restore</c> and <c>verify</c>: they read the settings the product reads (appsettings, Mediation__ variables,
/// --Mediation:Key=value) but never start the host, so a backup runs beside the running product.
/// </summary>
public static class BackupCommands
{
    public const string PgDump =
        "This installation runs on PostgreSQL: back it up with pg_dump (see README, \"Backup and restore\"), e.g.\n" +
        "  pg_dump --format=custom --file=mediation-$(date +%Y%m%d).dump \"$DATABASE\"\n" +
        "  pg_restore --clean --if-exists --dbname=\"$DATABASE\" mediation-YYYYMMDD.dump";

    public static async Task<int> BackupAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = Options(args);
        if (options.Provider != DatabaseProvider.Sqlite)
        {
            await error.WriteLineAsync(PgDump);
            return 2;
        }
        var to = CommandLine.Option(args, "--to") ?? options.Backup.Folder;
        var report = await SqliteBackup.BackupAsync(InfrastructureServices.SqliteConnectionString(options.ConnectionString), to, TimeProvider.System);
        if (report.Ok)
            report = report with { Lines = [.. report.Lines, .. SqliteBackup.Prune(to, options.Backup.Keep).Select(d => $"removed (keeping {options.Backup.Keep}) {d}")] };
        return await PrintAsync(report, output, error);
    }

    public static async Task<int> RestoreAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count < 3 || args[0].StartsWith('-') || CommandLine.Option(args, "--to") is not { } to)
        {
            await error.WriteLineAsync("Usage: restore <backup-folder|manifest.json> --to <empty folder>");
            return 2;
        }
        return await PrintAsync(await SqliteBackup.RestoreAsync(args[0], to), output, error);
    }

    public static async Task<int> VerifyAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = Options(args);
        if (options.Provider != DatabaseProvider.Sqlite)
        {
            await error.WriteLineAsync("verify reads a SQLite database; on PostgreSQL use pg_restore --list on a dump and the database's own checks.");
            return 2;
        }
        var database = args.Count > 0 && !args[0].StartsWith('-')
            ? args[0]
            : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(InfrastructureServices.SqliteConnectionString(options.ConnectionString)).DataSource;
        var latest = SchemaMigrator.For(DatabaseProvider.Sqlite).Max(m => m.Version);
        return await PrintAsync(await SqliteBackup.VerifyAsync(database, latestMigration: latest), output, error);
    }

    private static async Task<int> PrintAsync(BackupReport report, TextWriter output, TextWriter error)
    {
        foreach (var line in report.Lines)
            await (report.Ok ? output : error).WriteLineAsync(line);
        await (report.Ok ? output : error).WriteLineAsync(report.Ok ? "OK" : "FAILED");
        return report.Ok ? 0 : 1;
    }

    private static MediationOptions Options(IReadOnlyList<string> args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal))])
            .Build();
        return configuration.GetSection("Mediation").Get<MediationOptions>() ?? new MediationOptions();
    }
}
