using Mediation.Application;
using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Infrastructure.Persistence;
using Mediation.Infrastructure.Seeding;
using Mediation.Workflows.Loading;
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
    /// configuration), and the workflow definitions, loaded and validated now so that a broken definition stops start-up.
    /// </summary>
    public static IServiceCollection AddMediation(this IServiceCollection services, MediationOptions options)
    {
        services.AddSingleton(options);
        services.AddMediationApplication();
        services.AddSingleton(LoadWorkflows(options));
        services.AddSingleton(new WriteGate(serializeWrites: options.Provider == DatabaseProvider.Sqlite));
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
            services.AddDbContextPool<MediationDbContext>(o => o.UseNpgsql(options.ConnectionString));
        }
        return services;
    }

    /// <summary>Runs the timer dispatcher in the host (the web host; tests drive it by hand).</summary>
    public static IServiceCollection AddMediationTimers(this IServiceCollection services) =>
        services.AddHostedService(provider => provider.GetRequiredService<Deadlines.TimerDispatcher>());

    public static WorkflowCatalog LoadWorkflows(MediationOptions options)
    {
        var folder = Path.IsPathRooted(options.WorkflowsPath) ? options.WorkflowsPath : Path.Combine(AppContext.BaseDirectory, options.WorkflowsPath);
        var registry = WorkflowLoader.LoadDirectory(folder);
        var calendarFile = Path.Combine(folder, "calendars", "cn-working-days.json");
        var calendar = File.Exists(calendarFile) ? WorkingDayCalendar.Parse(File.ReadAllText(calendarFile)) : WorkingDayCalendar.WeekdaysOnly;
        _ = registry.Latest(options.WorkflowKey);
        return new WorkflowCatalog(registry, calendar, options.WorkflowKey);
    }

    /// <summary>Accepts a bare file path or a full connection string; creates the file's folder.</summary>
    public static string SqliteConnectionString(string value)
    {
        var builder = value.Contains('=', StringComparison.Ordinal) ? new SqliteConnectionStringBuilder(value) : new SqliteConnectionStringBuilder { DataSource = value };
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && Path.GetDirectoryName(Path.GetFullPath(file)) is { } dir)
            Directory.CreateDirectory(dir);
        builder.Pooling = true;
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
        await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().MigrateAsync(options.Provider, cancellationToken: cancellationToken);
        if (!options.SeedDemoStreet || !seedDemo)
            return [];
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var hashing = scope.ServiceProvider.GetService<IPasswordHashing>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        var accounts = await DemoStreet.SeedAsync(db, now, hashing is null ? null : staff => hashing.Hash(staff, DemoStreet.Password), cancellationToken);
        if (accounts.Count > 0)
            scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Mediation.Seeding").LogInformation("Seeded the demo street with {Count} accounts", accounts.Count);
        return accounts;
    }
}
