using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.KeyManagement.Internal;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Web.Tests;

/// <summary>
/// Sign-in cookies and antiforgery tokens are protected with one key ring kept in the database, so a browser sent to
/// another node by the proxy stays signed in and its forms are accepted there.
/// </summary>
public class SharedKeyRingTests
{
    private static readonly Regex Token = new("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");

    private static async Task<HttpStatusCode> InboxAsync(ApiHost node, string cookie) =>
        (await node.WithCookie(cookie).GetAsync("/api/inbox")).StatusCode;

    [Fact]
    public async Task SignInOnOneNode_IsValidOnAnotherNode_AndOnANodeStartedLater()
    {
        using var database = SharedDatabase.OfThisRun();
        string cookie;
        using (var first = database.Node())
        {
            cookie = await first.SignInCookie("xinfang1");
            using var second = database.Node();
            Assert.Equal(HttpStatusCode.OK, await InboxAsync(second, cookie));
        }

        using var later = database.Node();
        Assert.Equal(HttpStatusCode.OK, await InboxAsync(later, cookie));
    }

    [Fact]
    public async Task TheSignInFormFromOneNode_IsAcceptedByAnotherNode()
    {
        using var database = SharedDatabase.OfThisRun();
        using var first = database.Node();
        using var second = database.Node();

        var page = await first.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false }).GetAsync("/signin");
        var antiforgery = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var token = Token.Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var posted = await second.WithCookie(antiforgery).PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = "cun07-1", ["Password"] = "Demo@2026", ["__RequestVerificationToken"] = token,
        }));

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var session = posted.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("mediation.session=", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await InboxAsync(first, session));
    }

    [Fact]
    public async Task TwoNodesThatEachMadeAKey_ReadEachOthersCookies()
    {
        using var database = SharedDatabase.OfThisRun();
        using var first = database.Node();
        using var second = database.Node();
        var fromFirst = await first.SignInCookie("xinfang1");

        // As if the second node had started at the same moment and made a first key of its own, unseen by the first.
        var made = second.Services.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        // The ring is reloaded in the background once a key is added: wait until the second node protects with its own key.
        var ring = second.Services.GetRequiredService<IKeyRingProvider>();
        for (var i = 0; i < 100 && ring.GetCurrentKeyRing().DefaultKeyId != made.KeyId; i++)
            await Task.Delay(100);
        Assert.Equal(made.KeyId, ring.GetCurrentKeyRing().DefaultKeyId);
        Assert.NotEqual(made.KeyId, first.Services.GetRequiredService<IKeyRingProvider>().GetCurrentKeyRing().DefaultKeyId);
        var fromSecond = await second.SignInCookie("xinfang2");

        Assert.Equal(HttpStatusCode.OK, await InboxAsync(first, fromSecond));
        Assert.Equal(HttpStatusCode.OK, await InboxAsync(second, fromFirst));
    }
}
