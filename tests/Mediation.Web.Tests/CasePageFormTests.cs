using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mediation.Web.Tests;

/// <summary>
/// The case page's action forms and the registration page refuse in the page's language, beside the field, in plain
/// words, and keep what the user typed: never raw developer text, never a bare JSON error page.
/// </summary>
public class CasePageFormTests(ApiHost host) : IClassFixture<ApiHost>
{
    private static readonly Regex Token = new("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
    private static readonly Regex Version = new("name=\"expectedVersion\" value=\"(\\d+)\"");

    // Sign-in is rate limited: one signed-in client per host; each test switches its language.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ApiHost, HttpClient> Clients = new();

    private async Task<HttpClient> Client(string lang)
    {
        if (!Clients.TryGetValue(host, out var client))
        {
            client = await host.SignedInAs("cun01-1");
            Clients.AddOrUpdate(host, client);
        }
        var switched = await client.GetAsync($"/lang?to={lang}&back=/");
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        return client;
    }

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>A case registered and accepted (version 2); mediating (version 3) when asked.</summary>
    private static async Task<long> CaseAsync(HttpClient client, bool mediating = false)
    {
        var registered = await Ok(await client.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary = "页面表单测试", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "王秀英" }, new { role = "respondent", name = "李德胜" } },
        }));
        var id = registered.GetProperty("caseId").GetInt64();
        await Ok(await client.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 1 }));
        if (mediating)
            await Ok(await client.PostAsJsonAsync($"/api/cases/{id}/sessions", new { expectedVersion = 2, heldAt = DateTime.UtcNow.AddMinutes(-10), place = "村委会", attendees = "双方", summary = "初次调解" }));
        return id;
    }

    /// <summary>Reads the page's antiforgery token and case version, then posts one of its forms as a browser would.</summary>
    private static async Task<string> PostAsync(HttpClient client, long id, string handler, Dictionary<string, string> fields, int? expectedVersion = null)
    {
        var page = await client.GetStringAsync($"/cases/{id}");
        fields["__RequestVerificationToken"] = Token.Match(page).Groups[1].Value;
        fields["expectedVersion"] = (expectedVersion ?? int.Parse(Version.Match(page).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var response = await client.PostAsync($"/cases/{id}?handler={handler}", new FormUrlEncodedContent(fields));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        // Razor writes Chinese as character references: read the page as the user does.
        body = WebUtility.HtmlDecode(body);
        Assert.DoesNotContain("The request is invalid", body);
        return body;
    }

    private static string FieldError(string page, string field)
    {
        var match = Regex.Match(page, $"<span class=\"field-error\"[^>]*data-field=\"{Regex.Escape(field)}\">([^<]*)</span>");
        Assert.True(match.Success, $"no refusal beside '{field}'");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [Theory]
    [InlineData("zh", "此项必填")]
    [InlineData("en", "Please fill this in.")]
    public async Task EmptySessionForm_IsRefusedBesideItsFields_InThePagesLanguage(string lang, string required)
    {
        var client = await Client(lang);
        var id = await CaseAsync(client);
        var page = await PostAsync(client, id, "Act", new() { ["action"] = "recordSession", ["place"] = "", ["attendees"] = "张三、李四", ["summary"] = "" });
        Assert.Equal(required, FieldError(page, "place"));
        Assert.Equal(required, FieldError(page, "summary"));
        Assert.Contains("value=\"张三、李四\"", page);
        Assert.DoesNotContain("is required", page);
    }

    [Theory]
    [InlineData("zh", "Clock", "suspend", "此项必填")]
    [InlineData("en", "Clock", "suspend", "Please fill this in.")]
    [InlineData("zh", "Act", "escalate", "此项必填")]
    [InlineData("en", "Act", "escalate", "Please fill this in.")]
    public async Task ReasonlessSuspendOrEscalate_IsRefusedBesideTheReason(string lang, string handler, string action, string required)
    {
        var client = await Client(lang);
        var id = await CaseAsync(client);
        var page = await PostAsync(client, id, handler, new() { ["action"] = action, ["reason"] = "  " });
        Assert.Equal(required, FieldError(page, "reason"));
        Assert.DoesNotContain("'reason'", page);
    }

    [Theory]
    [InlineData("zh", "false", "", "acceptedByParties", "调解协议须经双方当事人确认，纠纷方可调解成功。")]
    [InlineData("en", "false", "", "acceptedByParties", "The parties must accept the agreement for the dispute to be settled.")]
    [InlineData("zh", "true", "2020-01-01", "dueDates", "履行期限不能早于今天。")]
    [InlineData("en", "true", "2020-01-01", "dueDates", "A due date for performance cannot lie in the past.")]
    [InlineData("zh", "true", "明天", "dueDates", "“明天”不是日期，请按 2026-12-31 的格式填写，多个日期用逗号分隔。")]
    [InlineData("en", "true", "明天", "dueDates", "'明天' is not a date: write dates like 2026-12-31, separated by commas.")]
    public async Task RefusedResolve_ReRendersWithTheFormKept_AndTheRefusalBesideItsField(string lang, string accepted, string dueDates, string field, string expected)
    {
        var client = await Client(lang);
        var id = await CaseAsync(client, mediating: true);
        var fields = new Dictionary<string, string> { ["action"] = "resolve", ["terms"] = "李德胜赔偿王秀英500元", ["dueDates"] = dueDates };
        if (accepted == "true")
            fields["acceptedByParties"] = "true";
        var page = await PostAsync(client, id, "Act", fields);
        Assert.Equal(expected, FieldError(page, field));
        Assert.Contains("李德胜赔偿王秀英500元</textarea>", page);
        if (dueDates.Length > 0)
            Assert.Contains($"name=\"dueDates\" value=\"{dueDates}\"", page);
        Assert.Matches("<details data-action=\"resolve\" open", page);
    }

    [Theory]
    [InlineData("zh", "在您填写期间，其他人修改了此案件。页面现已显示最新内容，请核对后再次提交。")]
    [InlineData("en", "Someone else changed this case meanwhile. The page now shows the latest; please check it and submit again.")]
    public async Task TwoTabConflict_SaysSoInThePagesLanguage_AndKeepsWhatWasTyped(string lang, string expected)
    {
        var client = await Client(lang);
        var id = await CaseAsync(client);
        // The other tab records a session on version 2 while this one still shows it.
        await Ok(await client.PostAsJsonAsync($"/api/cases/{id}/sessions", new { expectedVersion = 2, heldAt = DateTime.UtcNow.AddMinutes(-5), place = "村委会", attendees = "双方", summary = "另一标签页" }));
        var page = await PostAsync(client, id, "Act", new() { ["action"] = "escalate", ["reason"] = "涉及多户，村里调不了" }, expectedVersion: 2);
        var alert = Regex.Match(page, "id=\"action-error\">([^<]*)</p>");
        Assert.True(alert.Success, "no conflict message");
        Assert.Equal(expected, WebUtility.HtmlDecode(alert.Groups[1].Value));
        Assert.DoesNotContain("version", alert.Groups[1].Value, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("涉及多户，村里调不了</textarea>", page);
        Assert.Contains("name=\"expectedVersion\" value=\"3\"", page);
    }

    [Theory]
    [InlineData("zh", "此项必填")]
    [InlineData("en", "Please fill this in.")]
    public async Task Registration_WithoutTheApplicantsName_IsRefusedInPlainWords(string lang, string required)
    {
        var client = await Client(lang);
        var form = await client.GetStringAsync("/cases/new");
        var response = await client.PostAsync("/cases/new", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Token.Match(form).Groups[1].Value,
            ["IdempotencyKey"] = Guid.NewGuid().ToString("N"),
            ["Channel"] = "WalkIn", ["Category"] = "Neighbour", ["RiskLevel"] = "Low", ["Summary"] = "排水沟堵塞",
            ["Parties[0].Role"] = "Applicant", ["Parties[0].Name"] = "", ["Parties[0].Phone"] = "13905318842",
            ["Parties[1].Role"] = "Respondent", ["Parties[1].Name"] = "李德胜",
        }));
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(required, FieldError(page, "parties[0].name"));
        Assert.DoesNotContain("is required", page);
        Assert.Contains("value=\"排水沟堵塞\"", page);
    }
}

public class CasePageFollowUpFormTests(ApiHost host) : IClassFixture<ApiHost>
{
    [Theory]
    [InlineData("zh", "此项必填")]
    [InlineData("en", "Please fill this in.")]
    public async Task FollowUpWithoutItsMethod_IsRefusedBesideIt_WithTheNotesKept(string lang, string required)
    {
        var client = await host.SignedInAs(lang == "zh" ? "cun01-1" : "cun02-1");
        await client.GetAsync($"/lang?to={lang}&back=/");
        var registered = JsonDocument.Parse(await (await client.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary = "回访表单测试", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "王秀英" }, new { role = "respondent", name = "李德胜" } },
        })).Content.ReadAsStringAsync()).RootElement;
        var id = registered.GetProperty("caseId").GetInt64();
        (await client.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 1 })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/api/cases/{id}/sessions", new { expectedVersion = 2, heldAt = DateTime.UtcNow.AddMinutes(-10), place = "村委会", attendees = "双方", summary = "调解" })).EnsureSuccessStatusCode();
        var due = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(30)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var resolved = await client.PostAsJsonAsync($"/api/cases/{id}/resolve", new { expectedVersion = 3, terms = "赔偿500元", acceptedByParties = true, dueDates = new[] { due } });
        Assert.True(resolved.IsSuccessStatusCode, await resolved.Content.ReadAsStringAsync());
        var closed = await client.PostAsJsonAsync($"/api/cases/{id}/close", new { expectedVersion = 4, feedbackMethod = "电话", feedbackSummary = "已告知协议内容" });
        Assert.True(closed.IsSuccessStatusCode, await closed.Content.ReadAsStringAsync());

        var page = await client.GetStringAsync($"/cases/{id}");
        var followUpId = Regex.Match(page, "name=\"followUpId\" value=\"(\\d+)\"");
        Assert.True(followUpId.Success, "no follow-up form on the page");
        var response = await client.PostAsync($"/cases/{id}?handler=FollowUp", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value,
            ["expectedVersion"] = Regex.Match(page, "name=\"expectedVersion\" value=\"(\\d+)\"").Groups[1].Value,
            ["followUpId"] = followUpId.Groups[1].Value, ["method"] = "", ["satisfaction"] = "Satisfied", ["performance"] = "Performed", ["notes"] = "已履行一半",
        }));
        var body = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches($"data-field=\"method\">{Regex.Escape(required)}</span>", body);
        Assert.Contains("已履行一半</textarea>", body);
    }
}

public class CasePageCloseFormTests(ApiHost host) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task EmptyClosingFeedback_IsRefusedBesideItsTwoBoxes()
    {
        var client = await host.SignedInAs("cun01-1");
        var id = JsonDocument.Parse(await (await client.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary = "结案表单测试", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "王秀英" } },
        })).Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetInt64();
        (await client.PostAsJsonAsync($"/api/cases/{id}/withdraw", new { expectedVersion = 1, reason = "申请人撤回" })).EnsureSuccessStatusCode();
        var page = await client.GetStringAsync($"/cases/{id}");
        var response = await client.PostAsync($"/cases/{id}?handler=Act", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value,
            ["expectedVersion"] = "2", ["action"] = "close", ["method"] = "", ["summary"] = "",
        }));
        var body = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-field=\"method\">此项必填</span>", body);
        Assert.Contains("data-field=\"summary\">此项必填</span>", body);
        Assert.DoesNotContain("data-form-error", body);
    }
}
