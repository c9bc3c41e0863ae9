using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Mediation.Web.Tests;

/// <summary>Bad input gets problem+json naming the field or rule, in the client's language; never a 500.</summary>
public class InputTests(ApiHost host) : IClassFixture<ApiHost>
{
    private static object Dispute(string summary) => OpenApiFuzzTests.ValidCase(summary);

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string[] Errors(JsonElement problem, string field) =>
        problem.GetProperty("errors").TryGetProperty(field, out var messages)
            ? messages.EnumerateArray().Select(m => m.GetString()!).ToArray()
            : throw new Xunit.Sdk.XunitException($"No error for '{field}' in {problem}");

    private async Task<(HttpClient Client, long Id, int Version)> AcceptedCase(string userName, string summary)
    {
        var client = await host.SignedInAs(userName);
        var created = await client.PostAsJsonAsync("/api/cases", Dispute(summary));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetInt64();
        var accepted = await client.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 1 });
        accepted.EnsureSuccessStatusCode();
        return (client, id, JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt32());
    }

    // PostgreSQL refuses a NUL in text: before the rule this was a 500 there (the fuzzer's seed 917309838) and a stored NUL on SQLite.
    [Fact]
    public async Task RegisterCase_WithAControlCharacterInText_Is422NamingTheField_InTheClientsLanguage_AndWritesNothing()
    {
        var village = await host.SignedInAs("cun08-1");
        var before = await village.GetStringAsync("/api/cases?text=%E6%8E%92%E6%B0%B4NUL");
        var problem = await Problem(await village.PostAsync("/api/cases", Json("""
            {"channel":"walkIn","category":"neighbour","summary":"排水NUL\u0000沟","riskLevel":"low","parties":[{"role":"applicant","name":"王\u0007秀英"}]}
            """)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("control character", Errors(problem, "summary")[0], StringComparison.Ordinal);
        Assert.Contains("control character", Errors(problem, "parties[0].name")[0], StringComparison.Ordinal);

        using var chinese = new HttpRequestMessage(HttpMethod.Post, "/api/cases")
        {
            Content = Json("""{"channel":"walkIn","category":"neighbour","summary":"排水\u0000","riskLevel":"low","parties":[{"role":"applicant","name":"王秀英"}]}"""),
        };
        chinese.Headers.AcceptLanguage.ParseAdd("zh-CN");
        Assert.Contains("控制字符", Errors(await Problem(await village.SendAsync(chinese), HttpStatusCode.UnprocessableEntity), "summary")[0], StringComparison.Ordinal);
        Assert.Equal(before, await village.GetStringAsync("/api/cases?text=%E6%8E%92%E6%B0%B4NUL"));

        var lineBreaks = await village.PostAsJsonAsync("/api/cases", OpenApiFuzzTests.ValidCase("排水沟\n堵塞\t两户"));
        Assert.Equal(HttpStatusCode.Created, lineBreaks.StatusCode);
    }

    [Fact]
    public async Task RegisterCase_WithANullParty_Is422NamingIt()
    {
        var village = await host.SignedInAs("cun08-1");
        var problem = await Problem(await village.PostAsync("/api/cases", Json("""
            {"channel":"walkIn","category":"neighbour","summary":"排水","riskLevel":"low","parties":[{"role":"applicant","name":"王秀英"},null]}
            """)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("required", Errors(problem, "parties[1]")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterCase_WithoutChannelCategoryRiskOrRole_Is422NamingEach_InsteadOfCountingTheFirstValue()
    {
        var village = await host.SignedInAs("cun08-1");
        var problem = await Problem(await village.PostAsync("/api/cases", Json("""
            {"summary":"排水","parties":[{"name":"王秀英"}]}
            """)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("walkIn", Errors(problem, "channel")[0], StringComparison.Ordinal);
        Assert.Contains("neighbour", Errors(problem, "category")[0], StringComparison.Ordinal);
        Assert.Contains("high", Errors(problem, "riskLevel")[0], StringComparison.Ordinal);
        Assert.Contains("applicant", Errors(problem, "parties[0].role")[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"channel":"carrierPigeon","category":"neighbour","summary":"排水","riskLevel":"low","parties":[{"role":"applicant","name":"王"}]}""", "channel", "hotline12345")]
    [InlineData("""{"channel":"walkIn","category":"neighbour","summary":"排水","riskLevel":"low","parties":[{"role":"judge","name":"王"}]}""", "parties[0].role", "respondent")]
    [InlineData("""{"channel":"walkIn","category":"neighbour","summary":"排水","riskLevel":"low","riskSignals":"bribery","parties":[{"role":"applicant","name":"王"}]}""", "riskSignals", "turningViolent")]
    public async Task AnUnknownEnumValueInABody_Is422NamingTheFieldAndTheAllowedValues(string body, string field, string anAllowedValue)
    {
        var village = await host.SignedInAs("cun08-1");
        var problem = await Problem(await village.PostAsync("/api/cases", Json(body)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains(anAllowedValue, Errors(problem, field)[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANullDueDateInsideTheList_Is422NamingTheElement()
    {
        var (client, id, version) = await AcceptedCase("cun09-1", "空的履行期限");
        var problem = await Problem(await client.PostAsync($"/api/cases/{id}/resolve", Json($$"""{"expectedVersion":{{version}},"terms":"赔偿","acceptedByParties":true,"dueDates":["2027-01-05",null]}""")), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("date", Errors(problem, "dueDates[1]")[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("category=xyz", "category", "neighbour")]
    [InlineData("risk=extreme", "risk", "medium")]
    [InlineData("state=nowhere", "state", "pending")]
    [InlineData("level=moon", "level", "station")]
    [InlineData("category=99", "category", "other")]
    public async Task AnUnknownFilterValue_Is400NamingTheParameterAndTheAllowedValues(string query, string parameter, string anAllowedValue)
    {
        var station = await host.SignedInAs("zhan1-1");
        var problem = await Problem(await station.GetAsync("/api/cases?" + query), HttpStatusCode.BadRequest);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        Assert.Contains(anAllowedValue, problem.GetProperty("allowed").EnumerateArray().Select(a => a.GetString()));
    }

    [Theory]
    [InlineData("9999-12-30", "dueDates[0]")]
    [InlineData("2099-06-01", "dueDates")]
    public async Task AnAgreementDueDateFarAhead_Is422_SoTheCaseCanStillBeClosed(string dueDate, string field)
    {
        var (client, id, accepted) = await AcceptedCase("cun10-1", "远期履行");
        var session = await client.PostAsJsonAsync($"/api/cases/{id}/sessions", new { expectedVersion = accepted, heldAt = "2026-01-05T02:00:00Z", place = "村委会", attendees = "双方", summary = "协商分期" });
        session.EnsureSuccessStatusCode();
        var version = JsonDocument.Parse(await session.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt32();
        var problem = await Problem(await client.PostAsJsonAsync($"/api/cases/{id}/resolve", new { expectedVersion = version, terms = "分期赔偿", acceptedByParties = true, dueDates = new[] { dueDate } }), HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(Errors(problem, field));
    }

    [Fact]
    public async Task ASessionHeldInYearOne_Is422NamingHeldAt()
    {
        var (client, id, version) = await AcceptedCase("cun11-1", "远古调解");
        var problem = await Problem(await client.PostAsJsonAsync($"/api/cases/{id}/sessions", new { expectedVersion = version, heldAt = "0001-01-01T00:00:01Z", place = "村委会", attendees = "双方", summary = "调解" }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("2000-01-01", Errors(problem, "heldAt")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssigningStaff_WithANullRole_Is422NamingRole()
    {
        var admin = await host.SignedInAs("admin");
        var problem = await Problem(await admin.PostAsync("/api/admin/staff/5/assignment", Json("""{"role":null,"unitId":3}""")), HttpStatusCode.UnprocessableEntity);
        Assert.NotEmpty(Errors(problem, "role"));
    }

    [Fact]
    public async Task TheSameIdempotencyKey_WithADifferentBody_Is422SayingTheKeyWasReused()
    {
        var village = await host.SignedInAs("cun12-1");
        async Task<HttpResponseMessage> Post(string summary)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Dispute(summary)) };
            request.Headers.Add("Idempotency-Key", "form-reused");
            return await village.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Created, (await Post("第一件纠纷")).StatusCode);
        var problem = await Problem(await Post("另一件纠纷"), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("already used", Errors(problem, "Idempotency-Key")[0], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await Post("第一件纠纷")).StatusCode);
    }

    [Theory]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.5", null, "字段填写有误", "必填")]
    [InlineData("en-GB,en;q=0.9", null, "Invalid fields", "required")]
    [InlineData("en-GB", "zh", "字段填写有误", "必填")]
    [InlineData("zh-CN", "en", "Invalid fields", "required")]
    public async Task FieldRules_AreInTheClientsLanguage(string acceptLanguage, string? langCookie, string title, string rule)
    {
        var village = await host.SignedInAs("cun13-1");
        if (langCookie is not null)
            Assert.Equal(HttpStatusCode.Redirect, (await village.GetAsync("/lang?to=" + langCookie)).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = Json("""{"channel":"walkIn","category":"neighbour","summary":"","riskLevel":"low","parties":[{"role":"applicant","name":"王"}]}""") };
        request.Headers.Add("Accept-Language", acceptLanguage);
        var problem = await Problem(await village.SendAsync(request), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Contains(rule, Errors(problem, "summary")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusalEchoingWhatWasTyped_IsBoundedAndCannotForgeLogLines()
    {
        var admin = await host.SignedInAs("admin");
        var typed = "nobody\r\n2026-12-02 info: Mediation forged line\r\n" + new string('x', 100_000);
        var response = await admin.PostAsJsonAsync("/api/admin/staff/5/assignment", new { role = typed, unitId = 3 });
        var body = await Problem(response, HttpStatusCode.UnprocessableEntity);
        var said = Errors(body, "role")[0];
        Assert.DoesNotContain('\n', said);
        Assert.True(said.Length < 1000, $"The refusal is {said.Length} characters long.");

        Assert.DoesNotContain(host.Logs.Lines, l => l.Line.Contains("\n2026-12-02 info: Mediation forged line", StringComparison.Ordinal) || l.Line.Length > 2000);
        var refusals = host.Logs.Lines.Where(l => l.Line.Contains("AssignStaff", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(refusals);
        Assert.All(refusals, l =>
        {
            Assert.DoesNotContain('\r', l.Line);
            Assert.DoesNotContain('\n', l.Line);
            Assert.True(l.Line.Length < 2000, $"A log line of {l.Line.Length} characters: {l.Line[..Math.Min(200, l.Line.Length)]}…");
        });
    }

    [Fact]
    public async Task OpenApiDocument_ListsAsRequiredExactlyWhatIsRefusedWhenMissing_AndDocumentsDefaults()
    {
        var schemas = JsonDocument.Parse(await host.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("components").GetProperty("schemas");
        string[] Required(string schema) => schemas.GetProperty(schema).GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(["category", "channel", "parties", "riskLevel", "summary"], Required("RegisterCase"));
        Assert.Equal(["name", "role"], Required("PartyInput"));
        Assert.Equal(["acceptedByParties", "expectedVersion", "terms"], Required("ResolveCase"));
        Assert.Equal(["expectedVersion", "followUpId", "method", "performance", "satisfaction"], Required("RecordFollowUp"));
        Assert.Equal(["role", "unitId"], Required("AssignStaff"));
        Assert.False(schemas.GetProperty("CreateStaff").GetProperty("properties").TryGetProperty("allowedRoles", out _));
        Assert.Equal("none", schemas.GetProperty("RiskSignals").GetProperty("default").GetString());
    }

    [Theory]
    [InlineData("/%5Cevil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    public async Task SwitchingLanguage_WithAnOffSiteReturnAddress_GoesHomeInsteadOf500(string back)
    {
        var response = await host.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync("/lang?to=en&back=" + back);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task ALandlineIsMaskedToItsLastFourDigits_OutsideTheHoldingUnit()
    {
        var village = await host.SignedInAs("cun14-1");
        var created = await village.PostAsJsonAsync("/api/cases", new
        {
            channel = "phone", category = "contractDebt", summary = "货款纠纷", riskLevel = "low",
            parties = new object[] { new { role = "applicant", name = "孙立", phone = "0531-88886666" } },
        });
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetInt64();

        var petitionOffice = await host.SignedInAs("xinfang1");
        var seen = JsonDocument.Parse(await petitionOffice.GetStringAsync($"/api/cases/{id}")).RootElement;
        Assert.Equal("*********6666", seen.GetProperty("parties")[0].GetProperty("phone").GetString());
    }
}
