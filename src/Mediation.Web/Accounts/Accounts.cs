using System.Security.Claims;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Mediation.Application.Features.Administration;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Web.Accounts;

public sealed record SignInRequest(string UserName, string Password);

public sealed record SignedIn(long StaffId, string DisplayName, string Role, long UnitId, string UnitName);

/// <summary>
/// Sign-in for staff with the same accounts on pages and API: a salted hash (ASP.NET Core Identity's hasher), a
/// lockout after repeated failures, and an HttpOnly, SameSite=Strict cookie carrying who the person is and where.
/// </summary>
public static class Accounts
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);
    public const string DemoPassword = "Demo@2026";


    public static IServiceCollection AddMediationAccounts(this IServiceCollection services)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = "mediation.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(10);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/signin";

            // An API client gets a status, not a redirect to a page.
            cookie.Events.OnRedirectToLogin = context => Status(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => Status(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorization();
        services.AddScoped<AccountService>();
        services.AddSingleton<IPasswordHashing, IdentityPasswordHashing>();
        return services;
    }

    private static Task Status(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        // A page the role may not open is a 403 (shown by the status page), not a redirect to a page that does not exist.
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || status == StatusCodes.Status403Forbidden)
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Every request's actor comes from its cookie; the Idempotency-Key header rides along to the pipeline.</summary>
    public static IApplicationBuilder UseMediationActor(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var actors = context.RequestServices.GetRequiredService<ActorContext>();
        if (ActorFrom(context.User) is { } actor)
            actors.Use(actor);
        if (context.Request.Headers.TryGetValue("Idempotency-Key", out var key) && !string.IsNullOrWhiteSpace(key))
            actors.IdempotencyKey = key.ToString().Trim();
        await next(context);
    });

    public static void MapSession(this IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/api/session").WithTags("Session");
        session.MapPost("", SignInAsync).AllowAnonymous()
            .WithSummary("Sign in; sets the session cookie.").Produces<SignedIn>().ProducesProblem(401);
        session.MapDelete("", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).WithSummary("Sign out.");
        session.MapGet("", (ActorContext actors, OrgTree tree, MediationDbContext db, CancellationToken ct) => Me(actors, tree, db, ct))
            .RequireAuthorization().WithSummary("Who is signed in.").Produces<SignedIn>();
    }

    private static async Task<IResult> Me(ActorContext actors, OrgTree tree, MediationDbContext db, CancellationToken ct)
    {
        var actor = actors.Current;
        var unit = await tree.FindAsync(db, actor.UnitId, ct);
        return Results.Ok(new SignedIn(actor.StaffId, actor.DisplayName, actor.Role, actor.UnitId, unit?.Name ?? ""));
    }

    private static async Task<IResult> SignInAsync(SignInRequest request, HttpContext context, AccountService accounts, CancellationToken ct)
    {
        var result = await accounts.SignInAsync(context, request.UserName, request.Password, ct);
        return result.Refusal is { } refusal
            ? Results.Problem(statusCode: 401, title: "Sign-in refused", detail: refusal)
            : Results.Ok(result.SignedIn);
    }

    internal static Actor? ActorFrom(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true
            || !long.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var staffId)
            || !long.TryParse(user.FindFirstValue("unit"), out var unitId))
            return null;
        return new Actor(staffId, user.FindFirstValue(ClaimTypes.Name) ?? "", user.FindFirstValue(ClaimTypes.Role) ?? "", unitId, user.FindFirstValue("unitPath") ?? "");
    }

    /// <summary>Gives the demo street's accounts the printed demo password (one hash: these are demo accounts only).</summary>
    public static async Task SetDemoPasswordsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var without = await db.Staff.Where(s => s.PasswordHash == null).ToListAsync();
        if (without.Count == 0)
            return;
        var hash = scope.ServiceProvider.GetRequiredService<IPasswordHashing>().Hash(without[0], DemoPassword);
        foreach (var staff in without)
            staff.SetPasswordHash(hash);
        await db.SaveChangesAsync();
    }
}

/// <summary>Checks a password, counts failures towards the lockout, and issues the session cookie.</summary>
public sealed class AccountService(MediationDbContext db, WriteGate gate, OrgTree tree, IPasswordHashing passwords, TimeProvider clock)
{
    public sealed record Result(SignedIn? SignedIn, string? Refusal);

    public async Task<Result> SignInAsync(HttpContext context, string userName, string password, CancellationToken ct)
    {
        const string wrong = "用户名或密码错误 / Wrong user name or password.";
        // No account has a name or password this long: refused before it reaches the database or the hasher.
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password) || userName.Length > 60 || password.Length > 256)
            return new(null, wrong);

        var now = clock.GetUtcNow().UtcDateTime;
        using (await gate.EnterAsync(ct))
        {
            var staff = await db.Staff.FirstOrDefaultAsync(s => s.UserName == userName.Trim(), ct);
            if (staff?.PasswordHash is null)
                return new(null, wrong);
            if (staff.IsLockedOut(now))
                return new(null, $"账号已锁定 / The account is locked until {staff.LockedUntil!.Value.AddHours(8):yyyy-MM-dd HH:mm} (China time) after too many failed attempts.");

            var verdict = passwords.Check(staff, staff.PasswordHash, password);
            if (verdict == PasswordCheck.Wrong)
            {
                staff.RecordFailedSignIn(now, Accounts.MaxFailures, Accounts.Lockout);
                await db.SaveChangesAsync(ct);
                return new(null, wrong);
            }
            if (verdict == PasswordCheck.RightButRehash)
                staff.SetPasswordHash(passwords.Hash(staff, password));
            staff.RecordSignIn();
            await db.SaveChangesAsync(ct);
        }

        var actor = await StaffDirectory.FindActorAsync(db, userName.Trim(), ct) ?? throw new NotFoundException("Staff member");
        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, actor.StaffId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, actor.DisplayName),
            new(ClaimTypes.Role, actor.Role),
            new("unit", actor.UnitId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("unitPath", actor.UnitPath),
        ];
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
        var unit = await tree.FindAsync(db, actor.UnitId, ct);
        return new(new SignedIn(actor.StaffId, actor.DisplayName, actor.Role, actor.UnitId, unit?.Name ?? ""), null);
    }
}

