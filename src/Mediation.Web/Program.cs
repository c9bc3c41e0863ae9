using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Infrastructure;
using Mediation.Infrastructure.Scheduling;
using Mediation.Infrastructure.Seeding;
using Microsoft.EntityFrameworkCore;
using Quartz;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
    builder.WebHost.UseUrls($"http://127.0.0.1:{builder.Configuration["Mediation:Port"] ?? "5080"}");

var options = builder.Configuration.GetSection("Mediation").Get<MediationOptions>() ?? new MediationOptions();
builder.Services.AddMediation(options).AddMediationTimers().AddMediationRecurringWork(options)
    .AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);

var app = builder.Build();
var accounts = await app.Services.PrepareDatabaseAsync();
DemoAccounts.Print(accounts, app.Services);

app.MapGet("/health", async (MediationDbContext db, ISchedulerFactory schedulers, CancellationToken ct) =>
{
    var databaseUp = await db.Database.CanConnectAsync(ct);
    var scheduler = await schedulers.GetScheduler(ct);
    var schedulerUp = await scheduler.GetStatus(ct) == SchedulerStatus.Running;
    var body = new { status = databaseUp && schedulerUp ? "healthy" : "unhealthy", database = databaseUp ? "up" : "down", scheduler = schedulerUp ? "up" : "down" };
    return databaseUp && schedulerUp ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
});

app.MapGet("/api/workflow", (WorkflowCatalog catalog) =>
{
    var w = catalog.Current;
    return Results.Ok(new
    {
        w.Key,
        w.Version,
        w.Title,
        Levels = w.Levels.Select(l => new { l.Id, l.Title, l.UnitKind, l.TimeLimit.Days, Counting = l.TimeLimit.Counting.ToString(), OnExpiry = l.OnExpiry.ToString(), l.EscalatesTo }),
        States = w.States.Select(s => new { s.Id, s.Title, s.IsFinal, s.ClockRuns, s.Outcome }),
        Transitions = w.Transitions.Select(t => new { t.Action, t.Title, t.From, t.To, t.Roles, t.Levels, Effect = t.Effect.ToString() }),
    });
});

await app.RunAsync();

/// <summary>Tells a newcomer who they can sign in as.</summary>
internal static class DemoAccounts
{
    public static void Print(IReadOnlyList<DemoStreet.Account> seeded, IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var staff = seeded.Count > 0
            ? seeded.Select(a => (a.UserName, a.DisplayName, a.Role)).ToList()
            : db.Staff.AsNoTracking().OrderBy(s => s.Id).Select(s => new { s.UserName, s.DisplayName, s.Role }).AsEnumerable().Select(s => (s.UserName, s.DisplayName, s.Role)).ToList();
        if (staff.Count == 0)
            return;
        Console.WriteLine(seeded.Count > 0 ? "Seeded the demo 1+9+N street (1 center, 9 stations, 38 village points)." : "Demo street present.");
        Console.WriteLine("Demo accounts (one of each kind; every village has cunNN-1/-2 and wanggeNN, every station zhanD-1..3):");
        foreach (var role in staff.Select(s => s.Role).Distinct())
        {
            var first = staff.First(s => s.Role == role);
            Console.WriteLine($"  {first.UserName,-12} {first.DisplayName,-6} {role}");
        }
    }
}
