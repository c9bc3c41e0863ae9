using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mediation.Web.Tests;

/// <summary>
/// One database (a SQLite file, or a PostgreSQL database) that several nodes start on, each as if on a machine of its
/// own: whatever ASP.NET would keep on the machine's disk (its default key ring folder) stays with the node.
/// </summary>
internal sealed class SharedDatabase : IDisposable
{
    private SharedDatabase(string? postgres) => Postgres = postgres;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "mediation-web-tests", Guid.NewGuid().ToString("N"));

    public string? Postgres { get; }

    /// <summary>On the provider this run is on.</summary>
    public static SharedDatabase OfThisRun() =>
        new(Mediation.Testing.TestPostgres.IsProvider ? Mediation.Testing.TestPostgres.CreateDatabaseAsync().GetAwaiter().GetResult() : null);

    /// <summary>On PostgreSQL whatever the run's provider: what only several nodes on one server can show.</summary>
    public static async Task<SharedDatabase> PostgresAsync() => new(await Mediation.Testing.TestPostgres.CreateDatabaseAsync());

    public ApiHost Node(Action<IServiceCollection>? services = null)
    {
        var machine = Path.Combine(Folder, "machine-" + Guid.NewGuid().ToString("N"));
        return new ApiHost
        {
            Folder = Folder,
            KeepFolder = true,
            Postgres = Postgres,
            TestServices = s =>
            {
                // Only a ring the product did not choose falls back to this machine's own folder.
                s.PostConfigure<KeyManagementOptions>(keys => keys.XmlRepository ??= new FileSystemXmlRepository(new DirectoryInfo(machine), NullLoggerFactory.Instance));
                services?.Invoke(s);
            },
        };
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Postgres is { } postgres)
            Mediation.Testing.TestPostgres.DropDatabaseAsync(postgres).GetAwaiter().GetResult();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
