using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mediation.Web.Tests;

/// <summary>事件推送 page: an administrator adds a subscription (the secret shown once), sees it in Chinese or English, disables and deletes it; each change audited.</summary>
public sealed partial class WebhookPageTests(ApiHost host) : IClassFixture<ApiHost>
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [GeneratedRegex("<code>(whsec_[0-9a-f]{64})</code>")]
    private static partial Regex SecretShown();

    private static async Task<string> Html(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    private static async Task<HttpResponseMessage> PostForm(HttpClient client, string handler, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await client.GetStringAsync("/admin/webhooks");
        var all = fields.Append(new("__RequestVerificationToken", TokenField().Match(page).Groups[1].Value));
        return await client.PostAsync($"/admin/webhooks?handler={handler}", new FormUrlEncodedContent(all));
    }

    [Fact]
    public async Task AddingASubscription_ShowsTheSecretOnce_InChinese_AndDisableAndDeleteAreAudited()
    {
        var admin = await host.SignedInAs("admin");
        Assert.Contains("href=\"/admin/webhooks\"", await admin.GetStringAsync("/admin"), StringComparison.Ordinal);

        var refused = await Html(await PostForm(admin, "Create", [new("Address", "ftp://127.0.0.1/x"), new("Events", "case.closed")]));
        Assert.Contains("地址须为完整的 http:// 或 https:// 网址", refused, StringComparison.Ordinal);

        var created = await Html(await PostForm(admin, "Create", [new("Address", "https://example.org/page-hook"), new("Events", "case.closed"), new("Events", "case.escalated")]));
        var secret = SecretShown().Match(created).Groups[1].Value;
        Assert.NotEmpty(secret);
        Assert.Contains("签名密钥只显示这一次", created, StringComparison.Ordinal);
        Assert.Contains("<td>结案、案件上报</td>", created, StringComparison.Ordinal);
        Assert.DoesNotContain("case.closed</td>", created, StringComparison.Ordinal);
        var again = await Html(await admin.GetAsync("/admin/webhooks"));
        Assert.DoesNotContain(secret, again, StringComparison.Ordinal);

        (await admin.GetAsync("/lang?to=en&back=/admin/webhooks")).Dispose();
        var english = await Html(await admin.GetAsync("/admin/webhooks"));
        Assert.Contains("<h1>Outbound events (webhooks)</h1>", english, StringComparison.Ordinal);
        Assert.Contains("<td>Case closed, Case escalated</td>", english, StringComparison.Ordinal);
        (await admin.GetAsync("/lang?to=zh&back=/admin/webhooks")).Dispose();

        var subscription = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/webhooks")).RootElement.EnumerateArray()
            .Single(s => s.GetProperty("url").GetString() == "https://example.org/page-hook");
        var id = subscription.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var disabled = await Html(await PostForm(admin, "Active", [new("subscriptionId", id), new("active", "false"), new("version", "0")]));
        Assert.Contains("<td>已停用</td>", disabled, StringComparison.Ordinal);
        // The same form again is stale: the subscription moved on to version 1.
        var stale = await Html(await PostForm(admin, "Active", [new("subscriptionId", id), new("active", "true"), new("version", "0")]));
        Assert.Contains("该订阅已被他人修改", stale, StringComparison.Ordinal);
        await PostForm(admin, "Delete", [new("subscriptionId", id)]);
        Assert.DoesNotContain("page-hook", await admin.GetStringAsync("/api/admin/webhooks"), StringComparison.Ordinal);

        var audit = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/audit?limit=200")).RootElement.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("subjectLabel").GetString() == "https://example.org/page-hook").Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["webhook.deleted", "webhook.changed", "webhook.created"], audit);
        Assert.DoesNotContain(secret, await admin.GetStringAsync("/api/admin/audit?limit=200"), StringComparison.Ordinal);
    }
}
