using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Mediation.Application.Features.Intake;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Mediation.Web.Accounts;

public sealed class IntakeOptions
{
    public int PermitsPerMinute { get; set; } = 60;
}

/// <summary>
/// Other systems authenticate with an API key (Authorization: Bearer mk_…, or X-Api-Key) as a scheme of its own, which only
/// the intake endpoints accept: staff endpoints ask for the cookie and answer a key with 401.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";
    public const string RatePolicy = "intake";
    public static readonly AuthorizationPolicy Policy = new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build();

    public static IServiceCollection AddMediationIntake(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Mediation:Intake").Get<IntakeOptions>() ?? new IntakeOptions();
        services.AddSingleton(options);
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, null);
        services.AddRateLimiter(limiter =>
        {
            // One window per key (its prefix, read before the key is checked), so one busy system cannot starve another.
            limiter.AddPolicy(RatePolicy, context => RateLimitPartition.GetFixedWindowLimiter(ApiKeyVerifier.PrefixOf(Presented(context.Request)) ?? "",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, options.PermitsPerMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            var signIn = limiter.OnRejected;
            limiter.OnRejected = (rejected, ct) => rejected.HttpContext.Request.Path.StartsWithSegments("/api/intake", StringComparison.Ordinal)
                ? new ValueTask(TooManyAsync(rejected.HttpContext, rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1)))
                : signIn?.Invoke(rejected, ct) ?? ValueTask.CompletedTask;
        });
        return services;
    }

    internal static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return authorization[7..].Trim();
        return request.Headers.TryGetValue("X-Api-Key", out var key) ? key.ToString().Trim() : null;
    }

    private static async Task TooManyAsync(HttpContext context, TimeSpan retryAfter)
    {
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = Accounts.Seconds(retryAfter).ToString(CultureInfo.InvariantCulture);
        var zh = Accounts.PrefersChinese(context);
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = 429,
                Title = zh ? "请求过于频繁" : "Too many requests",
                Detail = zh ? $"此 API 密钥每分钟最多 {Math.Max(1, context.RequestServices.GetRequiredService<IntakeOptions>().PermitsPerMinute)} 次请求，请 {Accounts.Seconds(retryAfter)} 秒后再试。"
                            : $"This API key may send at most {Math.Max(1, context.RequestServices.GetRequiredService<IntakeOptions>().PermitsPerMinute)} requests a minute; try again in {Accounts.Seconds(retryAfter)} s.",
            },
        });
    }
}

/// <summary>Checks the key against the store on every request: a revoked key or account fails on its next request.</summary>
internal sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyVerifier verifier, MediationDbContext db, ActorContext actors)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeyAuthentication.Presented(Request) is not { Length: > 0 } presented)
            return AuthenticateResult.NoResult();
        var actor = await verifier.VerifyAsync(db, presented, Context.RequestAborted);
        if (actor is null)
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        actors.Use(actor);
        Claim[] claims =
        [
            new(ClaimTypes.NameIdentifier, actor.StaffId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, actor.DisplayName),
            new(ClaimTypes.Role, actor.Role),
        ];
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));
    }
}
