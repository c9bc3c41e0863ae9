using Mediation.Web.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Mediation.Web.Pages;

[AllowAnonymous]
[EnableRateLimiting(Accounts.Accounts.SignInPolicy)]
public sealed class SignInModel(AccountService accounts) : PageModel
{
    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken cancellationToken)
    {
        var result = await accounts.SignInAsync(HttpContext, UserName ?? "", Password ?? "", cancellationToken);
        if (result.Refusal is { } refusal)
        {
            // The page's language only (Chinese unless the lang cookie says English).
            Error = refusal.Text(Accounts.Accounts.PrefersChinese(HttpContext));
            if (result.RetryAfter is { } retryAfter)
            {
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return Page();
        }
        return LocalRedirect(LocalPath.OrHome(returnUrl));
    }
}

/// <summary>Sign-out and the language switch, for the pages.</summary>
public static class PageSession
{
    public static void MapPageSession(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signout", async (HttpContext context, AccountService accounts, CancellationToken ct) =>
        {
            await accounts.SignOutAsync(context, ct);
            return Results.Redirect("/signin");
        }).ExcludeFromDescription();
        // The page to return to comes with the link: the browser sends no Referer (Referrer-Policy: no-referrer).
        app.MapGet("/lang", (string? to, string? back, HttpContext context) =>
        {
            context.Response.Cookies.Append("lang", to == "en" ? "en" : "zh", new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365) });
            return Results.LocalRedirect(LocalPath.OrHome(back));
        }).AllowAnonymous().ExcludeFromDescription();
    }
}

/// <summary>Where a page may send the browser back to: a path on this site, never another host.</summary>
public static class LocalPath
{
    // "//host" and "/\host" are read by browsers as another host; control characters can hide either.
    public static string OrHome(string? path) =>
        path is { Length: > 0 } && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\')) && !path.Any(char.IsControl)
            ? path
            : "/";
}
