using Mediation.Application;
using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Infrastructure.Persistence;
using Mediation.Infrastructure.Seeding;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Migrations;
using Mediation.Workflows.Validation;
using Mediation.Workflows.Time;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mediation.Infrastructure;

public static class InfrastructureServices
{
    /// <summary>
    /// The whole product behind the mediator: application pipeline, database (SQLite by default, PostgreSQL by
    /// configuration), and the workflow definitions, loaded and validated at start-up so that a broken definition stops it.
    /// </summary>
    public static IServiceCollection AddMediation(this IServiceCollection services, MediationOptions options)
    {
        services.AddSingleton(options);
        services.AddMediationApplication();
        // Loaded when start-up first asks for it (PrepareDatabaseAsync), so a broken file is a refusal to start, not a crash while registering.
        services.AddSingleton(_ => LoadWorkflows(options));
        services.AddSingleton(options.Provider == DatabaseProvider.Sqlite
            ? new WriteGate(serializeWrites: true, isBusy: e => e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked })
            : new WriteGate(serializeWrites: false));
        services.AddSingleton<IStoreDialect>(options.Provider == DatabaseProvider.Sqlite ? new SqliteDialect() : new PostgresDialect());
        services.AddScoped<SchemaMigrator>();
        services.AddSingleton<Deadlines.TimerDispatcher>();

        if (options.Provider == DatabaseProvider.Sqlite)
        {
            var connectionString = SqliteConnectionString(options.ConnectionString);
            var pragmas = new SqlitePragmas(options.Durability);
            services.AddDbContextPool<MediationDbContext>(o => o.UseSqlite(connectionString).AddInterceptors(pragmas));
        }
        else
        {
            services.AddDbContextPool<MediationDbContext>(o => PostgresModel.Use(o, options.ConnectionString));
            services.AddSingleton<Application.Features.LiveFeeds.ILiveFeedPublisher, LiveFeeds.PostgresFeedPublisher>();
        }
        return services;
    }

    /// <summary>Lets this node's live feeds hear news committed on any node (PostgreSQL: one LISTEN connection per node).</summary>
    public static IServiceCollection AddMediationLiveFeeds(this IServiceCollection services, MediationOptions options)
    {
        if (options.Provider == DatabaseProvider.Postgres)
            services.AddHostedService<LiveFeeds.PostgresFeedListener>();
        return services;
    }

    /// <summary>Runs the timer dispatcher in the host (the web host; tests drive it by hand).</summary>
    public static IServiceCollection AddMediationTimers(this IServiceCollection services) =>
        services.AddHostedService(provider => provider.GetRequiredService<Deadlines.TimerDispatcher>());

    /// <summary>Sends the webhook outbox from this host (deliveries signed with secrets the host's <see cref="Application.Features.Webhooks.IWebhookSecrets"/> unprotects).</summary>
    public static IServiceCollection AddMediationWebhooks(this IServiceCollection services) =>
        services.AddHostedService<Webhooks.WebhookDispatcher>();

    /// <summary>Loads and checks the definitions and the working-day calendar; refuses to start on any problem.</summary>
    public static WorkflowCatalog LoadWorkflows(MediationOptions options)
    {
        var folder = WorkflowsFolder(options);
        try
        {
            var registry = WorkflowLoader.LoadDirectory(folder);
            var calendarFile = Path.Combine(folder, "calendars", "cn-working-days.json");
            if (options.Calendar == CalendarSource.File && !File.Exists(calendarFile))
            {
                throw new StartupRefusedException($"Mediation cannot start: the working-day calendar {calendarFile} is missing, so deadlines would ignore public holidays. "
                    + "Put the file back, or set Mediation:Calendar=WeekdaysOnly to count plain Monday-to-Friday weeks on purpose.");
            }
            var calendar = options.Calendar == CalendarSource.WeekdaysOnly ? WorkingDayCalendar.WeekdaysOnly : CalendarLoader.Load(calendarFile);
            if (!registry.All.Any(d => d.Key == options.WorkflowKey))
            {
                throw new StartupRefusedException($"Mediation cannot start: no workflow definition under {folder} has the key '{options.WorkflowKey}' (Mediation:WorkflowKey); "
                    + $"loaded keys: {string.Join(", ", registry.All.Select(d => d.Key).Distinct())}.");
            }
            return new WorkflowCatalog(registry, calendar, options.WorkflowKey) { Migrations = MigrationLoader.LoadDirectory(folder, registry) };
        }
        catch (WorkflowDefinitionException invalid)
        {
            throw new StartupRefusedException($"Mediation cannot start: a file under {folder} breaks a rule. Fix each line below and start again."
                + Environment.NewLine + string.Join(Environment.NewLine, invalid.Errors.Select(e => "  " + e)));
        }
        catch (WorkflowMigrationException invalid)
        {
            throw new StartupRefusedException($"Mediation cannot start: a migration file under {folder} breaks a rule. Fix each line below and start again."
                + Environment.NewLine + string.Join(Environment.NewLine, invalid.Errors.Select(e => "  " + e)));
        }
    }

    public static string WorkflowsFolder(MediationOptions options) =>
        Path.IsPathRooted(options.WorkflowsPath) ? options.WorkflowsPath : Path.Combine(AppContext.BaseDirectory, options.WorkflowsPath);

    public const int SqliteLockWaitSeconds = 3;

    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    /// <summary>Accepts a bare file path or a full connection string; creates the file's folder.</summary>
    public static string SqliteConnectionString(string value)
    {
        var builder = value.Contains('=', StringComparison.Ordinal) ? new SqliteConnectionStringBuilder(value) : new SqliteConnectionStringBuilder { DataSource = value };
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir)
            Directory.CreateDirectory(dir);
        builder.Pooling = true;
        // The driver retries a locked database for this long (30 s by default) while every other write queues behind;
        // with the native busy_timeout (SqlitePragmas) a write held off by another process fails within about 4 s.
        builder.DefaultTimeout = SqliteLockWaitSeconds;
        return builder.ToString();
    }

    /// <summary>
    /// Upgrades the schema and, when configured and the database is empty, seeds the demo street with the demo password
    /// (a database holding anything else is never touched); returns the seeded accounts.
    /// </summary>
    public static async Task<IReadOnlyList<DemoStreet.Account>> PrepareDatabaseAsync(this IServiceProvider services, bool seedDemo = true, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<MediationOptions>();
        var workflows = scope.ServiceProvider.GetRequiredService<WorkflowCatalog>();
        await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().MigrateAsync(options.Provider, cancellationToken: cancellationToken);
        await PublishedWorkflows.CheckAsync(scope.ServiceProvider.GetRequiredService<MediationDbContext>(), workflows, WorkflowsFolder(options), scope.ServiceProvider.GetRequiredService<TimeProvider>(), cancellationToken);
        if (!options.SeedDemoStreet || !seedDemo)
            return [];
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var hashing = scope.ServiceProvider.GetService<IPasswordHashing>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        Func<Mediation.Domain.Org.StaffMember, string>? hash = hashing is null ? null : staff => hashing.Hash(staff, DemoStreet.Password);
        var accounts = options.DemoSeed == DemoSeed.County
            ? await DemoStreet.SeedCountyAsync(db, now, hash, cancellationToken)
            : await DemoStreet.SeedAsync(db, now, hash, cancellationToken);
        if (accounts.Count > 0)
            scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Mediation.Seeding").LogInformation("Seeded the demo street with {Count} accounts", accounts.Count);
        return accounts;
    }
}
