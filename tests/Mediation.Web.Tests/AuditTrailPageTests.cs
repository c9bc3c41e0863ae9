using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mediation.Web.Accounts;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Mediation.Web.Tests;

/// <summary>操作审计 on the county demo: each street's administrator lists their street's changes, the county's all of them.</summary>
public sealed class AuditTrailPageTests(CountyDemoHost county) : IClassFixture<CountyDemoHost>
{
    private readonly ApiHost _host = county.Host;

    private static async Task<List<JsonElement>> Entries(HttpClient client, string query = "")
    {
        var page = JsonDocument.Parse(await client.GetStringAsync("/api/admin/audit" + query)).RootElement;
        return [.. page.GetProperty("entries").EnumerateArray()];
    }

    private static async Task<long> UnitNamed(HttpClient admin, string kind, string pathPrefix)
    {
        var units = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/units")).RootElement;
        return units.EnumerateArray().First(u => u.GetProperty("kind").GetString() == kind && u.GetProperty("path").GetString()!.StartsWith(pathPrefix, StringComparison.Ordinal)).GetProperty("id").GetInt64();
    }

    private static async Task Rename(HttpClient admin, long unitId, string name) =>
        (await admin.PostAsJsonAsync($"/api/admin/units/{unitId}/name", new { name })).EnsureSuccessStatusCode();

    [Fact]
    public async Task AuditApi_ShowsEachStreetItsOwnChanges_TheCountyAll_PagedWithoutGapsOrRepeats()
    {
        var admin = await _host.SignedInAs("admin");
        var hxAdmin = await _host.SignedInAs("hx-admin");
        var xianAdmin = await _host.SignedInAs("xian-admin");
        await Rename(admin, await UnitNamed(admin, "villagePoint", "/1/"), "临山审计改名点");
        await Rename(hxAdmin, await UnitNamed(hxAdmin, "villagePoint", "/1000/"), "河西审计改名点");

        static IEnumerable<string?> Labels(List<JsonElement> entries) => entries.Select(e => e.GetProperty("subjectLabel").GetString());
        var theirs = await Entries(admin, "?limit=200");
        Assert.Contains("临山审计改名点", Labels(theirs));
        Assert.DoesNotContain("河西审计改名点", Labels(theirs));
        Assert.Contains(theirs, e => e.GetProperty("action").GetString() == "workflow.published");
        var hx = await Entries(hxAdmin, "?limit=200");
        Assert.Contains("河西审计改名点", Labels(hx));
        Assert.DoesNotContain("临山审计改名点", Labels(hx));
        var all = await Entries(xianAdmin, "?limit=200");
        Assert.Contains("临山审计改名点", Labels(all));
        Assert.Contains("河西审计改名点", Labels(all));

        // The renaming as the entry tells it: who, and the one field that changed.
        var renamed = all.First(e => e.GetProperty("subjectLabel").GetString() == "河西审计改名点");
        Assert.Equal(("unit.renamed", "unit"), (renamed.GetProperty("action").GetString(), renamed.GetProperty("subjectKind").GetString()));
        var change = Assert.Single(renamed.GetProperty("changes").EnumerateArray());
        Assert.Equal(("name", "河西审计改名点"), (change.GetProperty("field").GetString(), change.GetProperty("after").GetString()));

        // Pages of one entry, followed to the end, give every entry once, newest first.
        var walked = new List<long>();
        string? next = "";
        while (next is not null)
        {
            var page = JsonDocument.Parse(await xianAdmin.GetStringAsync("/api/admin/audit?limit=1" + next)).RootElement;
            walked.AddRange(page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
            next = page.GetProperty("nextBefore").ValueKind == JsonValueKind.Null ? null : "&before=" + page.GetProperty("nextBefore").GetInt64().ToString(CultureInfo.InvariantCulture);
        }
        Assert.Equal(all.Select(e => e.GetProperty("id").GetInt64()), walked);
        Assert.Equal(walked.OrderDescending(), walked);

        // Filters: the kind, the actor, and China dates around the entry.
        Assert.All(await Entries(xianAdmin, "?kind=unit.renamed"), e => Assert.Equal("unit.renamed", e.GetProperty("action").GetString()));
        var actorId = renamed.GetProperty("actorStaffId").GetInt64();
        var byActor = await Entries(xianAdmin, $"?actorId={actorId}");
        Assert.NotEmpty(byActor);
        Assert.All(byActor, e => Assert.Equal(actorId, e.GetProperty("actorStaffId").GetInt64()));
        var day = DateOnly.FromDateTime(renamed.GetProperty("at").GetDateTime().ToUniversalTime().AddHours(8));
        string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Contains("河西审计改名点", Labels(await Entries(xianAdmin, $"?from={Day(day)}&to={Day(day)}&limit=200")));
        Assert.DoesNotContain("河西审计改名点", Labels(await Entries(xianAdmin, $"?from={Day(day.AddDays(1))}&limit=200")));
        Assert.DoesNotContain("河西审计改名点", Labels(await Entries(xianAdmin, $"?to={Day(day.AddDays(-1))}&limit=200")));
    }

    [Fact]
    public async Task AuditApi_RefusesABadFilter_NamingTheField_InTheClientsLanguage()
    {
        var admin = await _host.SignedInAs("admin");
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var reversed = await admin.GetAsync("/api/admin/audit?from=2026-12-05&to=2026-12-01");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reversed.StatusCode);
        var body = await reversed.Content.ReadAsStringAsync();
        Assert.Contains("\"to\"", body, StringComparison.Ordinal);
        Assert.Contains("结束日期不能早于开始日期", body, StringComparison.Ordinal);
        Assert.Contains("\"limit\"", await (await admin.GetAsync("/api/admin/audit?limit=0")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var notADate = await admin.GetAsync("/api/admin/audit?from=2026-13-01");
        Assert.Equal(HttpStatusCode.BadRequest, notADate.StatusCode);
        Assert.Contains("from", await notADate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditPage_ShowsEachChangeFieldByField_InThePagesLanguage_WithoutCodesOrJson()
    {
        var admin = await _host.SignedInAs("admin");
        var station = await UnitNamed(admin, "districtStation", "/1/");
        var added = await admin.PostAsJsonAsync("/api/admin/units", new { parentId = station, name = "审计新增点", kind = "villagePoint" });
        added.EnsureSuccessStatusCode();
        var unitId = JsonDocument.Parse(await added.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        await Rename(admin, unitId, "审计新增点（改）");
        (await admin.PostAsJsonAsync("/api/admin/staff", new { userName = "audit-cun", displayName = "审计调解员", role = "villageMediator", unitId, password = "Audit2026page" })).EnsureSuccessStatusCode();

        Assert.Contains("href=\"/admin/audit\"", await admin.GetStringAsync("/admin"), StringComparison.Ordinal);
        var html = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/audit"));
        Assert.Contains("操作审计", html, StringComparison.Ordinal);
        Assert.Contains("单位改名", html, StringComparison.Ordinal);
        Assert.Contains("名称：<del>审计新增点</del>", html, StringComparison.Ordinal);
        Assert.Contains("<ins>审计新增点（改）</ins>", html, StringComparison.Ordinal);
        Assert.Contains("新建账号", html, StringComparison.Ordinal);
        Assert.Contains("角色：<ins>村级调解员</ins>", html, StringComparison.Ordinal);
        Assert.Contains("类别：<ins>村级调解点</ins>", html, StringComparison.Ordinal);
        Assert.Contains("发布流程版本", html, StringComparison.Ordinal);
        var table = html[html.IndexOf("id=\"audit-entries\"", StringComparison.Ordinal)..];
        foreach (var code in new[] { "villageMediator", "villagePoint", "unit.renamed", "{\"", "\":", ">true<", ">false<" })
            Assert.DoesNotContain(code, table, StringComparison.Ordinal);
        Assert.DoesNotContain("Audit2026page", html, StringComparison.Ordinal);

        var filtered = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/audit?kind=unit.renamed"));
        Assert.DoesNotContain("新建账号</strong>", filtered, StringComparison.Ordinal);
        Assert.Contains("单位改名</strong>", filtered, StringComparison.Ordinal);

        (await admin.GetAsync("/lang?to=en")).Dispose();
        var en = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/audit"));
        Assert.Contains("Audit trail", en, StringComparison.Ordinal);
        Assert.Contains("Unit renamed", en, StringComparison.Ordinal);
        Assert.Contains("Role: <ins>Village mediator</ins>", en.Replace("：", ": ", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}

public sealed class AuditTrailCommandLineTests
{
    [Fact]
    public async Task AdminCreate_OnAnEmptyInstall_RecordsTheStreetAndTheAccount_ByTheCommandLine()
    {
        using var host = new ApiHost { Settings = { ["Mediation:SeedDemoStreet"] = "false" } };
        _ = host.CreateClient();
        Assert.Equal(0, await AdminCommand.RunAsync(host.Services, ["create", "--user", "zhou", "--name", "周建华", "--street", "临河街道矛调中心", "--password-stdin"],
            new StringReader("Linhe2026first\n"), TextWriter.Null, TextWriter.Null));

        var zhou = host.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });
        (await zhou.PostAsJsonAsync("/api/session", new { userName = "zhou", password = "Linhe2026first" })).EnsureSuccessStatusCode();
        var entries = (await Entries(zhou)).Where(e => e.GetProperty("action").GetString() != "workflow.published").ToList();
        Assert.Equal(["staff.created", "street.created"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal("命令行 / command line", e.GetProperty("actorName").GetString()));
        Assert.Equal(["zhou", "临河街道矛调中心"], entries.Select(e => e.GetProperty("subjectLabel").GetString()));
        Assert.DoesNotContain("Linhe2026first", await zhou.GetStringAsync("/api/admin/audit"), StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> Entries(HttpClient client) =>
        [.. JsonDocument.Parse(await client.GetStringAsync("/api/admin/audit")).RootElement.GetProperty("entries").EnumerateArray()];
}
