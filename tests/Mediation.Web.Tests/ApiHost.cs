using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Mediation.Web.Tests;

/// <summary>
/// The real web host on a temporary SQLite file, or (MEDIATION_TEST_PROVIDER=postgres, or <see cref="Postgres"/> set) on a
/// database of its own on the test PostgreSQL cluster, with clients that keep their session cookie.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    /// <summary>The database's folder: give another host's to start on the same file.</summary>
    public string Folder { get; init; } = Path.Combine(Path.GetTempPath(), "mediation-web-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Leaves the database behind on dispose, for a next host on the same file.</summary>
    public bool KeepFolder { get; init; }

    /// <summary>Configuration keys set for this host (e.g. "Mediation:SeedDemoStreet").</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>Replaces services after the product has registered its own.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public string DatabaseFile => Path.Combine(Folder, "mediation.db");

    /// <summary>The PostgreSQL database to run on: give another host's to start on the same one; null on SQLite.</summary>
    public string? Postgres
    {
        // Made on first use, so a host given another host's database does not leave an empty one behind.
        get => _postgresChosen ? _postgres : Choose(Mediation.Testing.TestPostgres.IsProvider ? CreatePostgres() : null);
        set => Choose(value);
    }

    private string? _postgres;
    private bool _postgresChosen;

    private string? Choose(string? postgres)
    {
        _postgres = postgres;
        _postgresChosen = true;
        return postgres;
    }

    private static string CreatePostgres() => Mediation.Testing.TestPostgres.CreateDatabaseAsync().GetAwaiter().GetResult();

    /// <summary>Every log line the host writes at Information or above, as formatted.</summary>
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Folder);
        if (Postgres is { } postgres)
        {
            builder.UseSetting("Mediation:Provider", "Postgres");
            builder.UseSetting("Mediation:ConnectionString", postgres);
        }
        else
        {
            builder.UseSetting("Mediation:ConnectionString", DatabaseFile);
        }
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).AddFilter<LogCapture>(null, LogLevel.Information));
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        if (TestServices is { } services)
            builder.ConfigureTestServices(services);
    }

    /// <summary>A client signed in as a demo account.</summary>
    public async Task<HttpClient> SignedInAs(string userName)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
        var response = await client.PostAsJsonAsync("/api/session", new { userName, password = "Demo@2026" });
        response.EnsureSuccessStatusCode();
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        if (KeepFolder)
            return;
        if (_postgres is { } postgres)
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

/// <summary>Keeps the host's log lines so a test can read what would have reached the log file.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, string Line)> _lines = new();

    public IReadOnlyList<(string Category, string Line)> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<(string, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, formatter(state, exception)));
    }
}
