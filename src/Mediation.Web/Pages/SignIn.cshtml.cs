using Mediation.Web.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages;

[AllowAnonymous]
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
            Error = refusal;
            return Page();
        }
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : "/");
    }
}

/// <summary>Sign-out and the language switch, for the pages.</summary>
public static class PageSession
{
    public static void MapPageSession(this IEndpointRouteBuilder app)
    {
        app.MapPost("/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/signin");
        }).ExcludeFromDescription();
        // The page to return to comes with the link: the browser sends no Referer (Referrer-Policy: no-referrer).
        app.MapGet("/lang", (string? to, string? back, HttpContext context) =>
        {
            context.Response.Cookies.Append("lang", to == "en" ? "en" : "zh", new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365) });
            // IsLocalUrl also refuses a backslash path ("/\\evil"), which browsers follow off-site and LocalRedirect throws on.
            return Results.LocalRedirect(Microsoft.AspNetCore.Http.HttpResults.RedirectHttpResult.IsLocalUrl(back) ? back! : "/");
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
