using System.Collections.Concurrent;
using System.Data.Common;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Infrastructure;
using Mediation.Testing;
using MediatR;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mediation.Application.Tests;

/// <summary>
/// The product's services on a real database, seeded with the demo street, with a clock the test moves: a SQLite
/// file in a temporary folder, or (MEDIATION_TEST_PROVIDER=postgres, or asked for) a database of its own on the test
/// PostgreSQL cluster. Restart() disposes everything and starts again on the same database.
/// </summary>
public sealed class MediationHost : IAsyncDisposable
{
    private ServiceProvider _services;

    private MediationHost(string folder, string workflowsPath, ManualClock clock, bool recurringWork, string? postgres, DemoSeed demo = DemoSeed.Street)
    {
        _demo = demo;
        Folder = folder;
        PostgresConnection = postgres;
        WorkflowsPath = workflowsPath;
        Clock = clock;
        _recurringWork = recurringWork;
        _services = Build();
    }

    private readonly bool _recurringWork;
    private readonly DemoSeed _demo;

    public string Folder { get; }
    public string DatabaseFile => Path.Combine(Folder, "mediation.db");

    /// <summary>The PostgreSQL database this host runs on, or null on SQLite.</summary>
    public string? PostgresConnection { get; }

    public DatabaseProvider Provider => PostgresConnection is null ? DatabaseProvider.Sqlite : DatabaseProvider.Postgres;
    public string WorkflowsPath { get; set; }
    public ManualClock Clock { get; }
    public ConcurrentQueue<string> LogLines { get; } = new();
    public IServiceProvider Services => _services;

    public static string ShippedWorkflows => Path.Combine(AppContext.BaseDirectory, "workflows");

    /// <param name="provider">The database to run on; by default the run's (<see cref="Mediation.Testing.TestPostgres.IsProvider"/>).</param>
    /// <param name="demo">The demo data seeded: one street, or the county of two streets (县级部署).</param>
    public static async Task<MediationHost> StartAsync(string? workflowsPath = null, bool recurringWork = false, DatabaseProvider? provider = null, DemoSeed demo = DemoSeed.Street)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var onPostgres = provider is { } chosen ? chosen == DatabaseProvider.Postgres : Mediation.Testing.TestPostgres.IsProvider;
        var postgres = onPostgres ? await Mediation.Testing.TestPostgres.CreateDatabaseAsync() : null;
        var host = new MediationHost(folder, workflowsPath ?? ShippedWorkflows, new ManualClock(new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero)), recurringWork, postgres, demo);
        await host._services.PrepareDatabaseAsync();
        return host;
    }

    private ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new CapturingLoggerProvider(LogLines)));
        services.AddSingleton<TimeProvider>(Clock);
        var options = NodeOptions();
        services.AddMediation(options);
        services.AddSingleton<Features.Administration.IPasswordHashing, IdentityHashing>();
        if (_recurringWork)
            Infrastructure.Scheduling.RecurringWork.AddMediationRecurringWork(services, options, Clock);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    /// <summary>Stops without ceremony and starts again on the same database file, as after a power cut or a redeploy.</summary>
    public async Task RestartAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Npgsql.NpgsqlConnection.ClearAllPools();
        _services = Build();
        await _services.PrepareDatabaseAsync();
    }

    /// <summary>A second node on the same database: its own services, connections and write gate; the same clock.</summary>
    public ServiceProvider StartAnotherNode() => Build();

    /// <summary>The options a node of this host is built with, for a second set of services on the same database.</summary>
    public MediationOptions NodeOptions() => new() { Provider = Provider, ConnectionString = PostgresConnection ?? DatabaseFile, WorkflowsPath = WorkflowsPath, DemoSeed = _demo };

    /// <summary>A connection of its own to this host's database, outside its pool, as another process would open one.</summary>
    public Task<DbConnection> OpenConnectionAsync() => TestDatabase.OpenAsync(PostgresConnection, DatabaseFile);

    /// <summary>Runs SQL on this host's database on a connection of its own (to set up what the model cannot write).</summary>
    public async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var connection = await OpenConnectionAsync();
        return await connection.ExecuteAsync(sql);
    }

    /// <summary>Options for a context of its own on this host's database, outside its services.</summary>
    public DbContextOptions<MediationDbContext> ContextOptions(params IInterceptor[] interceptors)
    {
        var options = new DbContextOptionsBuilder<MediationDbContext>();
        if (PostgresConnection is { } postgres)
            Infrastructure.Persistence.PostgresModel.Use(options, postgres);
        else
            options.UseSqlite(InfrastructureServices.SqliteConnectionString(DatabaseFile));
        return options.AddInterceptors(interceptors).Options;
    }

    /// <summary>Sends a request through the real pipeline as the named demo account.</summary>
    public async Task<T> SendAs<T>(string userName, IRequest<T> request)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var actor = await StaffDirectory.FindActorAsync(db, userName) ?? throw new InvalidOperationException($"No demo account '{userName}'.");
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(actor);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    /// <summary>Sends a request through the real pipeline as the given actor (e.g. the system).</summary>
    public async Task<T> SendAsActor<T>(Domain.Org.Actor actor, IRequest<T> request)
    {
        await using var scope = _services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(actor);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    /// <summary>Reads the database directly, outside the pipeline, to check what was really stored.</summary>
    public async Task<T> Query<T>(Func<MediationDbContext, Task<T>> query)
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        return await query(db);
    }

    /// <summary>Lets the clock's due timers fire, as the dispatcher does; answers how many it took up.</summary>
    public Task<int> FireDueTimersAsync() =>
        _services.GetRequiredService<Infrastructure.Deadlines.TimerDispatcher>().FireDueAsync(10_000, CancellationToken.None);

    /// <summary>Moves the clock to a China-time moment.</summary>
    public void SetChinaTime(int year, int month, int day, int hour = 10)
    {
        var target = new DateTimeOffset(year, month, day, hour, 0, 0, TimeSpan.FromHours(8));
        Clock.Advance(target - Clock.GetUtcNow());
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (PostgresConnection is { } postgres)
            await Mediation.Testing.TestPostgres.DropDatabaseAsync(postgres);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; failing the test over it is not.
        }
    }
}

/// <summary>The web host's hasher (ASP.NET Core Identity's), for hosts composed without the web.</summary>
internal sealed class IdentityHashing : Features.Administration.IPasswordHashing
{
    private readonly Microsoft.AspNetCore.Identity.PasswordHasher<Domain.Org.StaffMember> _hasher = new();

    public string Hash(Domain.Org.StaffMember staff, string password) => _hasher.HashPassword(staff, password);

    public Features.Administration.PasswordCheck Check(Domain.Org.StaffMember staff, string hash, string password) =>
        _hasher.VerifyHashedPassword(staff, hash, password) == Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed
            ? Features.Administration.PasswordCheck.Wrong
            : Features.Administration.PasswordCheck.Right;
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
