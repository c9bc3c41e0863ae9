using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Mediation.Infrastructure.Seeding;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Web.Accounts;

public sealed record SignInRequest(string UserName, string Password);

public sealed record SignedIn(long StaffId, string DisplayName, string Role, long UnitId, string UnitName);

/// <summary>How many sign-in attempts are let through per minute ("Mediation:SignIn" section).</summary>
public sealed class SignInLimits
{
    public int PerAccountPerMinute { get; set; } = 10;
    public int PerAddressPerMinute { get; set; } = 60;
}

/// <summary>
/// Sign-in for staff with the same accounts on pages and API: a salted hash (ASP.NET Core Identity's hasher), a
/// lockout after repeated failures, rate limits per account and per client address, and an HttpOnly, SameSite=Strict
/// cookie that names a session held on the server. Who the person is and where is read from the store on each request.
/// </summary>
public static class Accounts
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan SessionLength = TimeSpan.FromHours(10);
    public const string SessionClaim = "sid";
    public const string SignInPolicy = "sign-in";

    public static IServiceCollection AddMediationAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = "mediation.session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = SessionLength;
            // The server's session row has a fixed end; a sliding cookie would outlive it.
            cookie.SlidingExpiration = false;
            cookie.LoginPath = "/signin";

            // An API client gets a status, not a redirect to a page.
            cookie.Events.OnRedirectToLogin = context => Status(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => Status(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorization();
        services.AddScoped<AccountService>();
        services.AddSingleton<IPasswordHashing, IdentityPasswordHashing>();
        services.AddSingleton<SignInDecoy>();
        services.AddSingleton<PasswordWork>();
        services.AddSingleton<Installation>();

        var limits = configuration.GetSection("Mediation:SignIn").Get<SignInLimits>() ?? new SignInLimits();
        services.AddSingleton(limits);
        services.AddSingleton<AccountLimiter>();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(SignInPolicy, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "local",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PerAddressPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter("read"));
            limiter.OnRejected = (rejected, ct) => new ValueTask(TooManyAttemptsAsync(rejected.HttpContext,
                rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1)));
        });
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

    public static int Seconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

    /// <summary>
    /// The language a sign-in answer is given in: the API's client language (lang cookie, then Accept-Language), or on
    /// the pages the screen's language (Chinese unless the lang cookie says English).
    /// </summary>
    public static bool PrefersChinese(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
            ? Mediation.Web.Api.ApiLanguage.PrefersChinese(context.Request)
            : context.Request.Cookies["lang"] != "en";

    /// <summary>429 problem+json with Retry-After, for the API and the sign-in page alike.</summary>
    public static async Task TooManyAttemptsAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Seconds(retryAfter).ToString(CultureInfo.InvariantCulture);
        var zh = PrefersChinese(context);
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = 429, Title = zh ? "尝试次数过多" : "Too many sign-in attempts", Detail = SignInRefusal.TooMany(retryAfter).Text(zh) },
        });
    }

    /// <summary>
    /// Every request's actor comes from its session as the store has it now (role, unit, active): an ended session
    /// or a deactivated account signs the cookie out. The Idempotency-Key header rides along to the pipeline.
    /// </summary>
    public static IApplicationBuilder UseMediationActor(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var actors = context.RequestServices.GetRequiredService<ActorContext>();
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var sessionId = context.User.FindFirstValue(SessionClaim);
            var actor = sessionId is null ? null : await context.RequestServices.GetRequiredService<SessionDirectory>()
                .FindAsync(context.RequestServices.GetRequiredService<MediationDbContext>(), sessionId, context.RequestAborted);
            if (actor is null)
            {
                await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
            }
            else
            {
                context.User = Principal(actor, sessionId!);
                actors.Use(actor);
            }
        }
        if (context.Request.Headers.TryGetValue("Idempotency-Key", out var key) && !string.IsNullOrWhiteSpace(key))
            actors.IdempotencyKey = key.ToString().Trim();
        await next(context);
    });

    internal static ClaimsPrincipal Principal(Actor actor, string sessionId)
    {
        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, actor.StaffId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, actor.DisplayName),
            new(ClaimTypes.Role, actor.Role),
            new("unit", actor.UnitId.ToString(CultureInfo.InvariantCulture)),
            new(SessionClaim, sessionId),
        ];
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    public static void MapSession(this IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/api/session").WithTags("Session");
        session.MapPost("", SignInAsync).AllowAnonymous().RequireRateLimiting(SignInPolicy)
            .WithSummary("Sign in; sets the session cookie.").Produces<SignedIn>().ProducesProblem(401).ProducesProblem(429);
        session.MapDelete("", async (HttpContext context, AccountService accounts, CancellationToken ct) =>
        {
            await accounts.SignOutAsync(context, ct);
            return Results.NoContent();
        }).WithSummary("Sign out: the session ends on the server.");
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
        if (result.RetryAfter is { } retryAfter)
        {
            await TooManyAttemptsAsync(context, retryAfter);
            return Results.Empty;
        }
        var zh = PrefersChinese(context);
        return result.Refusal is { } refusal
            ? Results.Problem(statusCode: 401, title: zh ? "登录被拒绝" : "Sign-in refused", detail: refusal.Text(zh))
            : Results.Ok(result.SignedIn);
    }
}

/// <summary>Why a sign-in was refused; told in one language, the page's or the API client's.</summary>
public sealed record SignInRefusal(SignInRefusal.Reason Why, DateTime? LockedUntilUtc = null, TimeSpan? RetryAfter = null)
{
    public enum Reason
    {
        Wrong,
        Locked,
        Deactivated,
        TooManyAttempts,
    }

    public static readonly SignInRefusal Wrong = new(Reason.Wrong);
    public static readonly SignInRefusal Deactivated = new(Reason.Deactivated);

    public static SignInRefusal Locked(DateTime untilUtc) => new(Reason.Locked, LockedUntilUtc: untilUtc);

    public static SignInRefusal TooMany(TimeSpan retryAfter) => new(Reason.TooManyAttempts, RetryAfter: retryAfter);

    public string Text(bool zh)
    {
        var until = LockedUntilUtc is { } u ? (u + Mediation.Workflows.Time.WorkingDayCalendar.ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        var seconds = RetryAfter is { } r ? Accounts.Seconds(r) : 60;
        return (Why, zh) switch
        {
            (Reason.Locked, true) => $"密码错误次数过多，账号已锁定至 {until}（北京时间）。",
            (Reason.Locked, false) => $"The account is locked until {until} (China time) after too many failed attempts.",
            (Reason.Deactivated, true) => "账号已停用。",
            (Reason.Deactivated, false) => "This account has been deactivated.",
            (Reason.TooManyAttempts, true) => $"尝试次数过多，请 {seconds} 秒后再试。",
            (Reason.TooManyAttempts, false) => $"Too many sign-in attempts: try again in {seconds} s.",
            (_, true) => "用户名或密码错误。",
            _ => "Wrong user name or password.",
        };
    }
}

/// <summary>Whether this database holds the demo street, read from the database at start (the banner shows it).</summary>
public sealed class Installation
{
    public bool HoldsDemoData { get; set; }
}

/// <summary>A hash no account has, checked for unknown user names so that they take as long as a wrong password.</summary>
public sealed class SignInDecoy(IPasswordHashing passwords)
{
    private static readonly StaffMember Nobody = new(0, "", "", "", 0);
    private readonly Lazy<string> _hash = new(() => passwords.Hash(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));

    public PasswordCheck Check(string password) => passwords.Check(Nobody, _hash.Value, password);
}

/// <summary>Attempts per account name (known or not), a fixed window each; the address limit is the rate-limiter policy.</summary>
public sealed class AccountLimiter(SignInLimits limits) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(name =>
        RateLimitPartition.GetFixedWindowLimiter(name, _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PerAccountPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAttempt(string userName)
    {
        using var lease = _limiter.AttemptAcquire(userName.ToLowerInvariant());
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// Checks a password with no lock or transaction held (hashing takes ~100 ms), then writes in one short step:
/// a failed attempt towards the lockout, or the new session row.
/// </summary>
public sealed class AccountService(
    MediationDbContext db, WriteGate gate, OrgTree tree, IPasswordHashing passwords, PasswordWork hashing, SignInDecoy decoy, AccountLimiter limiter, SessionDirectory sessions, TimeProvider clock)
{
    private static readonly SignInRefusal Wrong = SignInRefusal.Wrong;

    public sealed record Result(SignedIn? SignedIn, SignInRefusal? Refusal, TimeSpan? RetryAfter = null);

    public async Task<Result> SignInAsync(HttpContext context, string? userName, string? password, CancellationToken ct)
    {
        var name = (userName ?? "").Trim();
        if (limiter.TryAttempt(name) is { } retryAfter)
            return new(null, SignInRefusal.TooMany(retryAfter), retryAfter);
        // No account has a name or password this long: refused before it reaches the database or the hasher.
        if (name.Length == 0 || string.IsNullOrEmpty(password) || name.Length > 60 || password.Length > 256)
            return new(null, Wrong);

        var now = clock.GetUtcNow().UtcDateTime;
        var staff = await db.Staff.AsNoTracking().FirstOrDefaultAsync(s => s.UserName == name, ct);
        if (staff?.PasswordHash is not { } hash)
        {
            await hashing.RunAsync(() => decoy.Check(password), ct);
            return new(null, Wrong);
        }
        var verdict = await hashing.RunAsync(() => passwords.Check(staff, hash, password), ct);
        if (staff.IsLockedOut(now))
            return new(null, SignInRefusal.Locked(staff.LockedUntil!.Value));
        if (verdict == PasswordCheck.Wrong)
        {
            using (await gate.EnterAsync(ct))
            {
                var tracked = await db.Staff.FirstAsync(s => s.Id == staff.Id, ct);
                tracked.RecordFailedSignIn(now, Accounts.MaxFailures, Accounts.Lockout);
                await db.SaveChangesAsync(ct);
                // The failure that locks the account says so, not only the next attempt.
                if (tracked.IsLockedOut(now))
                    return new(null, SignInRefusal.Locked(tracked.LockedUntil!.Value));
            }
            return new(null, Wrong);
        }
        if (!staff.Active)
            return new(null, SignInRefusal.Deactivated);

        var rehash = verdict == PasswordCheck.RightButRehash ? await hashing.RunAsync(() => passwords.Hash(staff, password), ct) : null;
        var session = new StaffSession(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), staff.Id, now, now + Accounts.SessionLength);
        using (await gate.EnterAsync(ct))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var tracked = await db.Staff.FirstAsync(s => s.Id == staff.Id, ct);
            // A reset or deactivation committed while the hash was checked wins.
            if (tracked.PasswordHash != hash || !tracked.Active)
                return new(null, Wrong);
            if (rehash is not null)
                tracked.SetPasswordHash(rehash);
            tracked.RecordSignIn();
            db.StaffSessions.Add(session);
            await db.StaffSessions.Where(s => s.StaffId == staff.Id && s.ExpiresAt <= now).ExecuteDeleteAsync(ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        var actor = await StaffDirectory.FindActorAsync(db, name, ct) ?? throw new NotFoundException("Staff member");
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Accounts.Principal(actor, session.Id),
            new AuthenticationProperties { ExpiresUtc = new DateTimeOffset(session.ExpiresAt, TimeSpan.Zero), IsPersistent = false });
        var unit = await tree.FindAsync(db, actor.UnitId, ct);
        return new(new SignedIn(actor.StaffId, actor.DisplayName, actor.Role, actor.UnitId, unit?.Name ?? ""), null);
    }

    /// <summary>Ends this request's session on the server, so the cookie is worthless even if replayed.</summary>
    public async Task SignOutAsync(HttpContext context, CancellationToken ct)
    {
        if (context.User.FindFirstValue(Accounts.SessionClaim) is { } sessionId)
        {
            using (await gate.EnterAsync(ct))
                await db.StaffSessions.Where(s => s.Id == sessionId).ExecuteDeleteAsync(ct);
            sessions.ForgetSession(sessionId);
        }
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
