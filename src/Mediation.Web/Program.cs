using System.Text.Json;
using System.Text.Json.Serialization;
using Mediation.Application.Persistence;
using Mediation.Infrastructure;
using Mediation.Infrastructure.Scheduling;
using Mediation.Infrastructure.Seeding;
using Mediation.Web.Accounts;
using Mediation.Web.Api;
using Mediation.Web.Commands;
using Mediation.Web.County;
using Microsoft.EntityFrameworkCore;
using Quartz;

// A command ("admin create …", "backup", …) runs and exits; one that reads only files never starts the host.
var command = CommandLine.IsCommand(args) ? CommandLine.Find(args) : null;
if (CommandLine.IsCommand(args) && command?.WithHost is null)
    return await CommandLine.RunWithoutHostAsync(args, Console.Out, Console.Error);
var runsCommand = command is not null;
var builder = WebApplication.CreateBuilder(command is not null ? CommandLine.HostArgumentsOf(command, args) : args);
if (runsCommand)
{
    // The command's output is what the operator reads: only warnings and errors from the host, and on stderr.
    builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
    builder.Logging.AddFilter(null, LogLevel.Warning);
    builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
}
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
    builder.WebHost.UseUrls($"http://127.0.0.1:{builder.Configuration["Mediation:Port"] ?? "5080"}");

MediationOptions options;
try
{
    options = builder.Configuration.GetSection("Mediation").Get<MediationOptions>() ?? new MediationOptions();
}
catch (InvalidOperationException unreadable)
{
    // The binder names the key and the value it could not read (e.g. Mediation:Calendar=Sundays).
    return Refuse($"Mediation cannot start: {unreadable.Message}");
}
builder.Services.AddMediation(options).AddMediationTimers().AddMediationRecurringWork(options).AddMediationLiveFeeds(options)
    .AddQuartzHostedService(hosted => hosted.WaitForJobsToComplete = true);
builder.Services.AddMediationAccounts(builder.Configuration).AddMediationKeyRing();
builder.Services.AddMediationWebhooks().AddSingleton<Mediation.Application.Features.Webhooks.IWebhookSecrets, Mediation.Web.Webhooks.WebhookSecrets>();
builder.Services.AddMediationIntake(builder.Configuration);
if (builder.Services.AddMediationProxies(builder.Configuration) is { } proxiesRefused)
    return Refuse(proxiesRefused);
builder.Services.AddHttpContextAccessor();
builder.Services.AddScoped<Mediation.Web.Ui.UiText>();
builder.Services.AddRazorPages(pages =>
{
    pages.Conventions.AuthorizeFolder("/");
    pages.Conventions.AllowAnonymousToPage("/SignIn");
});
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<Problems>();
builder.Services.AddOpenApi(openApi => openApi.AddSchemaTransformer<RequiredFields>());

// A body that does not bind is a BadHttpRequestException, so the problem+json handler can say what was wrong.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
});

var app = builder.Build();
IReadOnlyList<DemoStreet.Account> accounts;
try
{
    accounts = await app.Services.PrepareDatabaseAsync(seedDemo: !runsCommand);
}
catch (StartupRefusedException refused)
{
    return Refuse(refused.Message);
}
if (command?.WithHost is { } runCommand)
    return await runCommand(app.Services, args[1..], Console.In, Console.Out, Console.Error);
await DemoAccounts.PrintAsync(accounts, app.Services, options);

// First, so that everything after it (the sign-in limit per address, cookies, logs) sees the browser, not the proxy.
app.UseForwardedHeaders();
app.UseExceptionHandler();

// The API answers problem+json; a person in a browser gets a page.
app.UseWhen(context => context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal), api => api.UseStatusCodePages());
app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal), pages => pages.UseStatusCodePagesWithReExecute("/status/{0}"));
app.Use(async (context, next) =>
{
    // Served on an intranet with nothing from outside: say so to the browser.
    var headers = context.Response.Headers;
    headers.XContentTypeOptions = "nosniff";
    headers.XFrameOptions = "DENY";
    headers["Referrer-Policy"] = "no-referrer";
    headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'";
    await next(context);
});
app.UseStaticFiles();

// Routing after the status-code pages, so a re-executed /status/404 is routed afresh.
app.UseRouting();
app.UseRateLimiter();
app.UseAuthentication();
app.UseMediationActor();
app.UseAuthorization();
app.UseAntiforgery();

app.MapOpenApi();
app.MapRazorPages();
Mediation.Web.Pages.PageSession.MapPageSession(app);
app.MapSession();
app.MapMediationApi();
app.MapGet("/health", async (MediationDbContext db, ISchedulerFactory schedulers, CancellationToken ct) =>
{
    var databaseUp = await db.Database.CanConnectAsync(ct);
    var scheduler = await schedulers.GetScheduler(ct);
    var schedulerUp = await scheduler.GetStatus(ct) == SchedulerStatus.Running;
    var body = new { status = databaseUp && schedulerUp ? "healthy" : "unhealthy", database = databaseUp ? "up" : "down", scheduler = schedulerUp ? "up" : "down" };
    return databaseUp && schedulerUp ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
}).WithTags("Health").AllowAnonymous();

await app.RunAsync();
return 0;

// The operator reads one message that names what to fix; a stack trace would bury it.
static int Refuse(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}

/// <summary>The entry point, visible to the API tests' host.</summary>
public partial class Program;

/// <summary>Tells a newcomer who they can sign in as on demo data, or how to create the first administrator of a real install.</summary>
internal static class DemoAccounts
{
    public static async Task PrintAsync(IReadOnlyList<DemoStreet.Account> seeded, IServiceProvider services, MediationOptions options)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var demo = await DemoStreet.IsPresentAsync(db);
        services.GetRequiredService<Installation>().HoldsDemoData = demo;
        if (!demo)
        {
            if (!await db.Staff.AnyAsync(s => s.Role == Mediation.Domain.Org.Actor.Roles.Administrator && s.Active && s.PasswordHash != null))
            {
                // The command names this start's database, so that it creates the administrator where the product looks.
                Console.WriteLine("No administrator can sign in yet. Stop the product (Ctrl+C), create the first one on this database " +
                    $"(it creates the street center too when there is none), then start the product again:{Environment.NewLine}  {AdminCommand.UsageFor(options)}");
            }
            return;
        }

        scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Mediation.Installation")
            .LogWarning("This database holds DEMO data (the demo street, published password): do not record real disputes in it");
        Console.WriteLine("DEMO DATA: this database holds the demo street and its accounts share a published password. Do not record real disputes here.");
        Console.WriteLine($"  A real install: on a new database (--Mediation:ConnectionString=...), first {AdminCommand.Usage}, then start with --Mediation:SeedDemoStreet=false");
        var staff = seeded.Count > 0
            ? seeded.Select(a => (a.UserName, a.DisplayName, a.Role)).ToList()
            : (await db.Staff.AsNoTracking().OrderBy(s => s.Id).Select(s => new { s.UserName, s.DisplayName, s.Role }).ToListAsync()).Select(s => (s.UserName, s.DisplayName, s.Role)).ToList();
        if (staff.Count == 0)
            return;
        Console.WriteLine(seeded.Count > 0 ? "Seeded the demo 1+9+N street (1 center, 9 stations, 38 village points)." : "Demo street present.");
        if (await db.OrgUnits.CountAsync(u => u.ParentId == null) > 1)
            Console.WriteLine("County demo (县级部署): also the street 河西 (accounts hx-zhuren, hx-cun01-1, …) and the county offices (xian-admin, xian-xinfang1, xian-sifa1).");
        Console.WriteLine($"Demo accounts, password {DemoStreet.Password} (every village has cunNN-1/-2 and wanggeNN, every station zhanD-1..3):");
        foreach (var role in staff.Select(s => s.Role).Distinct())
        {
            var first = staff.First(s => s.Role == role);
            Console.WriteLine($"  {first.UserName,-12} {first.DisplayName,-6} {role}");
        }
    }
}
