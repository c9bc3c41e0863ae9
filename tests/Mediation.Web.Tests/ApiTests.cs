using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Web.Tests;

public class ApiTests : IClassFixture<ApiHost>
{
    private readonly ApiHost _host;

    public ApiTests(ApiHost host) => _host = host;

    private static object Neighbour(string summary = "邻里排水纠纷") => new
    {
        channel = "walkIn",
        category = "neighbour",
        summary,
        riskLevel = "low",
        riskSignals = "none",
        parties = new object[]
        {
            new { role = "applicant", name = "王秀英", phone = "13905318842", idNumber = "370102198803154213" },
            new { role = "respondent", name = "李德胜" },
        },
    };

    private static async Task<JsonElement> Body(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await Body(response);
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await Body(response);
    }

    [Fact]
    public async Task WithoutSigningIn_TheApiAnswers401()
    {
        var anonymous = _host.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/cases", Neighbour())).StatusCode);
    }

    [Fact]
    public async Task ADisputeGoesFromTheVillageToTheStation_AndOtherVillagesCannotSeeIt()
    {
        var village = await _host.SignedInAs("cun01-1");
        var created = await village.PostAsJsonAsync("/api/cases", Neighbour());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var registered = await Body(created);
        var id = registered.GetProperty("caseId").GetInt64();
        Assert.Equal($"/api/cases/{id}", created.Headers.Location?.ToString());

        var accepted = await Ok(await village.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 1 }));
        var escalated = await Ok(await village.PostAsJsonAsync($"/api/cases/{id}/escalate", new { expectedVersion = accepted.GetProperty("version").GetInt32(), reason = "涉及多户" }));
        Assert.Equal("station", escalated.GetProperty("level").GetString());

        var station = await _host.SignedInAs("zhan1-1");
        var queue = await Ok(await station.GetAsync("/api/cases?state=pending&level=station"));
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetInt64() == id);

        var otherVillage = await _host.SignedInAs("cun02-1");
        await Problem(await otherVillage.GetAsync($"/api/cases/{id}"), HttpStatusCode.NotFound);
        await Problem(await otherVillage.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 3 }), HttpStatusCode.NotFound);

        var petitionOffice = await _host.SignedInAs("xinfang1");
        var seen = await Ok(await petitionOffice.GetAsync($"/api/cases/{id}"));
        Assert.Equal("*******8842", seen.GetProperty("parties")[0].GetProperty("phone").GetString());
        await Problem(await petitionOffice.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 3 }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task WrongStateAndStaleVersion_Are409_WithWhatIsAllowed()
    {
        var village = await _host.SignedInAs("cun03-1");
        var id = (await Ok(await village.PostAsJsonAsync("/api/cases", Neighbour()))).GetProperty("caseId").GetInt64();

        var wrongState = await Problem(await village.PostAsJsonAsync($"/api/cases/{id}/resolve", new { expectedVersion = 1, terms = "补偿", acceptedByParties = true }), HttpStatusCode.Conflict);
        Assert.Equal("pending", wrongState.GetProperty("state").GetString());
        Assert.Equal(["accept", "decline", "withdraw", "suspend"], wrongState.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()));

        await Ok(await village.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 1 }));
        var stale = await Problem(await village.PostAsJsonAsync($"/api/cases/{id}/decline", new { expectedVersion = 1, reason = "重复" }), HttpStatusCode.Conflict);
        Assert.Equal(2, stale.GetProperty("currentVersion").GetInt32());
    }

    [Fact]
    public async Task InvalidFields_Are422_NamingEachField_AndMalformedJsonIs400()
    {
        var village = await _host.SignedInAs("cun04-1");
        var invalid = await Problem(await village.PostAsJsonAsync("/api/cases", new { channel = "walkIn", category = "neighbour", summary = "", riskLevel = "low", riskSignals = "none", parties = Array.Empty<object>() }), HttpStatusCode.UnprocessableEntity);
        var errors = invalid.GetProperty("errors");
        Assert.True(errors.TryGetProperty("summary", out _));
        Assert.True(errors.TryGetProperty("parties", out _));

        var malformed = await village.PostAsync("/api/cases/1/accept", new StringContent("{\"expectedVersion\": ", Encoding.UTF8, "application/json"));
        var problem = await Problem(malformed, HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task ARetriedPostWithTheSameIdempotencyKey_MakesOneCase()
    {
        var village = await _host.SignedInAs("cun05-1");
        async Task<JsonElement> Post()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cases") { Content = JsonContent.Create(Neighbour("重复提交测试")) };
            request.Headers.Add("Idempotency-Key", "form-5a1c");
            return await Ok(await village.SendAsync(request));
        }

        var first = await Post();
        var again = await Post();
        Assert.Equal(first.GetProperty("caseId").GetInt64(), again.GetProperty("caseId").GetInt64());
        var list = await Ok(await village.GetAsync("/api/cases?text=" + Uri.EscapeDataString(first.GetProperty("caseNumber").GetString()!)));
        Assert.Single(list.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task RepeatedWrongPasswords_LockTheAccount()
    {
        var client = _host.CreateClient();
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/session", new { userName = "cun06-2", password = "guess" + i })).StatusCode);

        var locked = await Problem(await client.PostAsJsonAsync("/api/session", new { userName = "cun06-2", password = "Demo@2026" }), HttpStatusCode.Unauthorized);
        Assert.Contains("locked", locked.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryEndpoint()
    {
        var document = await Ok(await _host.CreateClient().GetAsync("/openapi/v1.json"));
        var documented = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();

        var routes = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/').Replace(":long", "", StringComparison.Ordinal))
            .Where(r => r.StartsWith("/api", StringComparison.Ordinal) || r == "/health")
            .ToHashSet();
        Assert.NotEmpty(routes);
        Assert.Empty(routes.Except(documented));
    }

    [Fact]
    public async Task Responses_CarrySecurityHeaders()
    {
        var response = await _host.CreateClient().GetAsync("/health");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}

public class AdministrationApiTests(ApiHost host) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task AnAdministrator_AddsAVillagePointAndItsMediator_WhoThenRegistersThere()
    {
        var admin = await host.SignedInAs("admin");
        var units = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/units")).RootElement;
        var station = units.EnumerateArray().First(u => u.GetProperty("kind").GetString() == "districtStation");

        var added = await admin.PostAsJsonAsync("/api/admin/units", new { parentId = station.GetProperty("id").GetInt64(), name = "新村调解点", kind = "villagePoint" });
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync());
        var unit = JsonDocument.Parse(await added.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith(station.GetProperty("path").GetString()!, unit.GetProperty("path").GetString()!, StringComparison.Ordinal);

        var created = await admin.PostAsJsonAsync("/api/admin/staff", new { userName = "xincun-1", displayName = "钱学军", role = "villageMediator", unitId = unit.GetProperty("id").GetInt64(), password = "Xincun2026" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());

        var newcomer = host.CreateClient();
        (await newcomer.PostAsJsonAsync("/api/session", new { userName = "xincun-1", password = "Xincun2026" })).EnsureSuccessStatusCode();
        var registered = await newcomer.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "landHomestead", summary = "宅基地边界争议", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "钱保国" } },
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var body = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(unit.GetProperty("id").GetInt64(), body.GetProperty("unitId").GetInt64());
    }

    [Fact]
    public async Task OnlyAdministratorsAdminister_AndWeakPasswordsAreRefused()
    {
        var mediator = await host.SignedInAs("cun07-1");
        Assert.Equal(HttpStatusCode.Forbidden, (await mediator.GetAsync("/api/admin/staff")).StatusCode);

        var admin = await host.SignedInAs("admin");
        var weak = await admin.PostAsJsonAsync("/api/admin/staff", new { userName = "weak", displayName = "弱", role = "villageMediator", unitId = 3, password = "123" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, weak.StatusCode);
        Assert.Contains("password", await weak.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/cases/1")).StatusCode);
    }
}

public class FailedTimersApiTests(ApiHost host) : IClassFixture<ApiHost>
{
    [Fact]
    public async Task FailedTimers_AreForAdministrators_AndBadRequestsGetAProblemNamingTheField()
    {
        var admin = await host.SignedInAs("admin");
        var listed = await admin.GetAsync("/api/admin/timers?status=failed");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.ValueKind);

        var wrongStatus = await admin.GetAsync("/api/admin/timers?status=pending");
        Assert.Equal((HttpStatusCode)422, wrongStatus.StatusCode);
        Assert.True(JsonDocument.Parse(await wrongStatus.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("status", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/admin/timers/999999/retry", null)).StatusCode);

        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/timers"));
        Assert.Contains("未能执行的定时任务", page, StringComparison.Ordinal);
        Assert.Contains("href=\"/admin/timers\"", await admin.GetStringAsync("/admin"), StringComparison.Ordinal);

        var mediator = await host.SignedInAs("cun07-1");
        Assert.Equal(HttpStatusCode.Forbidden, (await mediator.GetAsync("/api/admin/timers?status=failed")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mediator.PostAsync("/api/admin/timers/1/cancel", null)).StatusCode);
    }
}
