using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mediation.Web.Tests;

/// <summary>县级部署 on the screen: the county compares the streets in Chinese or English; the county administrator adds a street.</summary>
public sealed partial class CountyPageTests(CountyDemoHost county) : IClassFixture<CountyDemoHost>
{
    private readonly ApiHost _host = county.Host;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [Fact]
    public async Task CountyPetitionOffice_ComparesBothStreets_InChineseAndInEnglish()
    {
        var lsCase = await RegisterAsync(await _host.SignedInAs("cun01-1"), "县页：临山邻里纠纷");
        await RegisterAsync(await _host.SignedInAs("hx-cun01-1"), "县页：河西邻里纠纷");

        var xinfang = await _host.SignedInAs("xian-xinfang1");
        var zh = WebUtility.HtmlDecode(await xinfang.GetStringAsync("/county"));
        Assert.Contains("<h1>街道对比</h1>", zh, StringComparison.Ordinal);
        Assert.Contains("临山街道矛盾纠纷调处中心", zh, StringComparison.Ordinal);
        Assert.Contains("河西街道矛盾纠纷调处中心", zh, StringComparison.Ordinal);
        Assert.Contains("上报至矛调中心", zh, StringComparison.Ordinal);
        Assert.Contains("<tr data-street=\"LS\">", zh, StringComparison.Ordinal);
        Assert.Contains("<tr data-street=\"HX\">", zh, StringComparison.Ordinal);
        Assert.Contains("id=\"chart-streets-village-share\"", zh, StringComparison.Ordinal);

        (await xinfang.GetAsync("/lang?to=en&back=/county")).Dispose();
        var en = WebUtility.HtmlDecode(await xinfang.GetStringAsync("/county"));
        Assert.Contains("<h1>Streets compared</h1>", en, StringComparison.Ordinal);
        Assert.Contains("Escalated to the center", en, StringComparison.Ordinal);

        // The county reads a street's case with the parties' phones masked, and is offered no action on it.
        var seen = JsonDocument.Parse(await xinfang.GetStringAsync($"/api/cases/{lsCase}")).RootElement;
        Assert.False(seen.GetProperty("personalDataVisible").GetBoolean());
        Assert.Equal(0, seen.GetProperty("allowedActions").GetArrayLength());
        Assert.DoesNotContain("13905318842", seen.GetRawText(), StringComparison.Ordinal);

        var compared = JsonDocument.Parse(await xinfang.GetStringAsync("/api/county/comparison")).RootElement.GetProperty("streets");
        Assert.Equal(["LS", "HX"], compared.EnumerateArray().Take(2).Select(s => s.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task CountyAdministrator_AddsAStreet_OnTheAdministrationPage_AndAStreetAdministratorIsOfferedNoSuchForm()
    {
        var countyAdmin = await _host.SignedInAs("xian-admin");
        var page = await countyAdmin.GetStringAsync("/admin");
        Assert.Contains("id=\"create-street\"", page, StringComparison.Ordinal);
        var bad = await countyAdmin.PostAsync("/admin?handler=CreateStreet", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TokenField().Match(page).Groups[1].Value, ["name"] = "河东街道矛调中心", ["code"] = "hd-1",
        }));
        var refused = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Contains("data-form=\"createStreet\" data-field=\"code\">街道代码须为 2–8 个大写拉丁字母", refused, StringComparison.Ordinal);

        var code = "HD" + string.Concat(Guid.NewGuid().ToString("N").Select(c => (char)('A' + c % 26)).Take(4));
        var good = await countyAdmin.PostAsync("/admin?handler=CreateStreet", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TokenField().Match(refused).Groups[1].Value, ["name"] = "河东街道矛调中心" + code, ["code"] = code,
        }));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        var units = JsonDocument.Parse(await countyAdmin.GetStringAsync("/api/admin/units")).RootElement;
        Assert.Contains(units.EnumerateArray(), u => u.GetProperty("code").GetString() == code && u.GetProperty("parentId").ValueKind == JsonValueKind.Null);

        // 临山's administrator neither sees the new street nor may make one.
        var streetAdmin = await _host.SignedInAs("admin");
        Assert.DoesNotContain("id=\"create-street\"", await streetAdmin.GetStringAsync("/admin"), StringComparison.Ordinal);
        var theirs = JsonDocument.Parse(await streetAdmin.GetStringAsync("/api/admin/units")).RootElement;
        Assert.DoesNotContain(theirs.EnumerateArray(), u => u.GetProperty("code").GetString() == code);
        var denied = await streetAdmin.PostAsJsonAsync("/api/admin/streets", new { name = "私设街道", code = "SS" });
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        Assert.Equal("application/problem+json", denied.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task RealCountyInstall_TheFirstCountyAdministratorIsCreatedByCommand_AndCreatesTheStreets()
    {
        using var host = new ApiHost { Settings = { ["Mediation:SeedDemoStreet"] = "false" } };
        var error = new StringWriter();
        var exit = await Mediation.Web.Accounts.AdminCommand.RunAsync(host.Services, ["create", "--user", "xian", "--name", "县管理员", "--county", "县矛盾纠纷调处化解中心", "--password-stdin"],
            new StringReader("County2026first\n"), TextWriter.Null, error);
        Assert.True(exit == 0, error.ToString());

        var admin = host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = true });
        (await admin.PostAsJsonAsync("/api/session", new { userName = "xian", password = "County2026first" })).EnsureSuccessStatusCode();
        foreach (var (name, code) in new[] { ("临河街道矛调中心", "LH"), ("河口街道矛调中心", "HK") })
            (await admin.PostAsJsonAsync("/api/admin/streets", new { name, code })).EnsureSuccessStatusCode();
        var units = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/units")).RootElement.EnumerateArray().ToList();
        Assert.Equal(["countyOffice", "streetCenter", "streetCenter"], units.Select(u => u.GetProperty("kind").GetString()));
        Assert.All(units, u => Assert.Equal(JsonValueKind.Null, u.GetProperty("parentId").ValueKind));
    }

    private static async Task<long> RegisterAsync(HttpClient client, string summary)
    {
        var response = await client.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary, riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "王秀英", phone = "13905318842" }, new { role = "respondent", name = "李德胜" } },
        });
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetInt64();
    }
}
