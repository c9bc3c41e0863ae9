using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Mediation.Web.Tests;

/// <summary>The administration page's own forms, posted as a browser would: page, antiforgery token, post.</summary>
public partial class AdminPageTests(ApiHost host) : IClassFixture<ApiHost>
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    // Razor writes Chinese as character references.
    private static async Task<string> Html(HttpResponseMessage response) => WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    private static async Task<HttpResponseMessage> PostForm(HttpClient client, string handler, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync("/admin");
        fields["__RequestVerificationToken"] = TokenField().Match(page).Groups[1].Value;
        return await client.PostAsync($"/admin?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private static async Task<long> AUnit(HttpClient admin, string kind)
    {
        var units = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/units")).RootElement;
        return units.EnumerateArray().First(u => u.GetProperty("kind").GetString() == kind).GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> Account(HttpClient admin, long id) =>
        JsonDocument.Parse(await admin.GetStringAsync("/api/admin/staff")).RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetInt64() == id);

    [Fact]
    public async Task CreateAccount_WithATakenUserName_ShowsTheChineseMessageBesideItAndKeepsWhatWasTyped()
    {
        var admin = await host.SignedInAs("admin");
        var village = await AUnit(admin, "villagePoint");
        var response = await PostForm(admin, "CreateStaff", new()
        {
            ["userName"] = "zhuren", ["displayName"] = "新来的调解员", ["role"] = "stationMediator", ["unitId"] = village.ToString(System.Globalization.CultureInfo.InvariantCulture), ["password"] = "Secret2026kept",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await Html(response);
        Assert.Contains("<span class=\"field-error\" data-form=\"createStaff\" data-field=\"userName\">用户名“zhuren”已被占用。</span>", html, StringComparison.Ordinal);
        Assert.Contains("name=\"userName\" value=\"zhuren\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"displayName\" value=\"新来的调解员\"", html, StringComparison.Ordinal);
        Assert.Matches("<select id=\"new-role\" name=\"role\">.*<option value=\"stationMediator\" selected=\"selected\">管区调解员</option>", html);
        Assert.DoesNotContain("Secret2026kept", html, StringComparison.Ordinal);
        Assert.DoesNotContain("is taken", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAccount_WithFieldsMissing_SaysSoBesideEachFieldInChinese()
    {
        var admin = await host.SignedInAs("admin");
        var response = await PostForm(admin, "CreateStaff", new()
        {
            ["userName"] = "", ["displayName"] = "只填了姓名", ["role"] = "villageMediator", ["unitId"] = "1", ["password"] = "short",
        });

        var html = await Html(response);
        Assert.Contains("data-field=\"userName\">此项必填</span>", html, StringComparison.Ordinal);
        Assert.Contains("data-field=\"password\">密码至少 8 个字符，须包含字母和数字。</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-field=\"displayName\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"displayName\" value=\"只填了姓名\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("The request is invalid", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssignmentForm_MovesTheAccount_FromItsNextRequest_AndRefusesAStaleForm()
    {
        var cookie = await host.SignInCookie("cun31-1");
        var admin = await host.SignedInAs("admin");
        var id = await admin.StaffId("cun31-1");
        var before = await Account(admin, id);
        var station = await AUnit(admin, "districtStation");
        Assert.Contains($"name=\"seenRole\" value=\"villageMediator\"", await admin.GetStringAsync("/admin"), StringComparison.Ordinal);

        var moved = await PostForm(admin, "Assign", new()
        {
            ["staffId"] = $"{id}", ["role"] = "stationMediator", ["unitId"] = $"{station}",
            ["seenRole"] = "villageMediator", ["seenUnitId"] = $"{before.GetProperty("unitId").GetInt64()}",
        });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Contains("已保存：cun31-1 现为管区调解员", await Html(moved), StringComparison.Ordinal);
        var session = JsonDocument.Parse(await host.WithCookie(cookie).GetStringAsync("/api/session")).RootElement;
        Assert.Equal("stationMediator", session.GetProperty("role").GetString());
        Assert.Equal(station, session.GetProperty("unitId").GetInt64());

        // A second tab still showing the old assignment wants another move: nothing is saved, the current one is shown.
        var stale = await PostForm(admin, "Assign", new()
        {
            ["staffId"] = $"{id}", ["role"] = "centerMediator", ["unitId"] = $"{before.GetProperty("unitId").GetInt64()}",
            ["seenRole"] = "villageMediator", ["seenUnitId"] = $"{before.GetProperty("unitId").GetInt64()}",
        });
        Assert.Contains("该账号在您打开页面后已被他人修改，未保存", await Html(stale), StringComparison.Ordinal);
        Assert.Equal("stationMediator", (await Account(admin, id)).GetProperty("role").GetString());
    }

    [Fact]
    public async Task Deactivation_AsksToConfirmFirst_AndIsNotOfferedForOnesOwnAccount()
    {
        var admin = await host.SignedInAs("admin");
        var id = await admin.StaffId("cun32-1");
        var self = await admin.StaffId("admin");
        var page = await admin.GetStringAsync("/admin");
        var ownRow = Regex.Match(page, "<tr[^>]*data-staff=\"admin\">.*?</tr>", RegexOptions.Singleline).Value;
        Assert.NotEmpty(ownRow);
        Assert.DoesNotContain("handler=Deactivate", ownRow, StringComparison.Ordinal);

        var asked = await PostForm(admin, "Deactivate", new() { ["staffId"] = $"{id}" });
        Assert.Contains("id=\"confirm-deactivation\"", await Html(asked), StringComparison.Ordinal);
        Assert.True((await Account(admin, id)).GetProperty("active").GetBoolean());

        var confirmed = await PostForm(admin, "Deactivate", new() { ["staffId"] = $"{id}", ["confirm"] = "true" });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.False((await Account(admin, id)).GetProperty("active").GetBoolean());

        // Posted by hand anyway, one's own deactivation is refused in the page's language.
        var own = await PostForm(admin, "Deactivate", new() { ["staffId"] = $"{self}", ["confirm"] = "true" });
        Assert.Contains("管理员不能停用自己的账号。", await Html(own), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InEnglish_ThePageSpeaksOnlyEnglish_WithRoleTitles()
    {
        var admin = await host.SignedInAs("admin");
        (await admin.GetAsync("/lang?to=en&back=/admin")).Dispose();
        var html = await Html(await admin.GetAsync("/admin"));
        Assert.Contains("<h1>Administration</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/admin\">Administration</a>", html, StringComparison.Ordinal);
        Assert.Contains("<td>Administrator</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>administrator</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("管理 /", html, StringComparison.Ordinal);
        Assert.DoesNotContain("账号 /", html, StringComparison.Ordinal);

        (await admin.GetAsync("/lang?to=zh&back=/admin")).Dispose();
        var chinese = await Html(await admin.GetAsync("/admin"));
        Assert.Contains("<h1>管理</h1>", chinese, StringComparison.Ordinal);
        Assert.Contains("<td>管理员</td>", chinese, StringComparison.Ordinal);
        Assert.DoesNotContain("Administration", chinese, StringComparison.Ordinal);
    }
}
