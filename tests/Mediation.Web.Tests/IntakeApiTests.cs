using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Mediation.Web.Tests;

/// <summary>Other systems (12345 热线, 部门转办) register cases with an API key; what the key may and may not do.</summary>
public sealed class IntakeApiTests(ApiHost host) : IClassFixture<ApiHost>
{
    internal static object Dispute(string reference, string summary = "楼上漏水，12345 转办") => new
    {
        externalReference = reference,
        category = "neighbour",
        summary,
        riskLevel = "low",
        riskSignals = "none",
        parties = new object[] { new { role = "applicant", name = "赵春梅", phone = "13905318842" }, new { role = "respondent", name = "孙建国" } },
    };

    internal static async Task<(long AccountId, long KeyId, string Key, long UnitId)> IssueKeyAsync(HttpClient admin, string name)
    {
        var units = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/units")).RootElement;
        var unitId = units.EnumerateArray().First(u => u.GetProperty("kind").GetString() == "villagePoint").GetProperty("id").GetInt64();
        var account = await Ok(await admin.PostAsJsonAsync("/api/admin/intake/accounts", new { name, unitId, channel = "hotline12345" }));
        var accountId = account.GetProperty("id").GetInt64();
        var issued = await Ok(await admin.PostAsync($"/api/admin/intake/accounts/{accountId}/keys", null));
        return (accountId, issued.GetProperty("id").GetInt64(), issued.GetProperty("key").GetString()!, unitId);
    }

    internal static HttpClient WithKey(ApiHost host, string key)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task AKeyRegistersACase_KeepingTheExternalReference_AndARetryGivesTheSameCase()
    {
        var admin = await host.SignedInAs("admin");
        var (_, _, key, unitId) = await IssueKeyAsync(admin, "12345 热线");
        var hotline = WithKey(host, key);

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/intake/cases") { Content = JsonContent.Create(Dispute("GD-2026-0001")) };
        request.Headers.Add("Idempotency-Key", "gd-0001");
        var created = await hotline.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var registered = await Body(created);
        Assert.Equal("GD-2026-0001", registered.GetProperty("externalReference").GetString());
        Assert.Equal(unitId, registered.GetProperty("unitId").GetInt64());

        var retry = new HttpRequestMessage(HttpMethod.Post, "/api/intake/cases") { Content = JsonContent.Create(Dispute("GD-2026-0001")) };
        retry.Headers.Add("Idempotency-Key", "gd-0001");
        var again = await Ok(await hotline.SendAsync(retry));
        Assert.Equal(registered.GetProperty("caseId").GetInt64(), again.GetProperty("caseId").GetInt64());

        var otherBody = new HttpRequestMessage(HttpMethod.Post, "/api/intake/cases") { Content = JsonContent.Create(Dispute("GD-2026-0001", "另一件事")) };
        otherBody.Headers.Add("Idempotency-Key", "gd-0001");
        var reused = await Problem(await hotline.SendAsync(otherBody), HttpStatusCode.UnprocessableEntity);
        Assert.True(reused.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));

        // The same reference without the idempotency key is a second registration of one ticket: refused by name.
        var duplicate = await Problem(await hotline.PostAsJsonAsync("/api/intake/cases", Dispute("GD-2026-0001")), HttpStatusCode.UnprocessableEntity);
        Assert.True(duplicate.GetProperty("errors").TryGetProperty("externalReference", out _));

        var status = await Ok(await hotline.GetAsync("/api/intake/cases/GD-2026-0001"));
        Assert.Equal(registered.GetProperty("caseNumber").GetString(), status.GetProperty("caseNumber").GetString());
        Assert.Equal("pending", status.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(status.GetProperty("unitName").GetString()));

        // The receiving unit sees it like any registered case, with the hotline's channel and the account named as who registered it.
        var id = registered.GetProperty("caseId").GetInt64();
        var units = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/units")).RootElement;
        var staff = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/staff")).RootElement;
        var mediator = staff.EnumerateArray().First(s => s.GetProperty("unitId").GetInt64() == unitId && s.GetProperty("role").GetString() == "villageMediator").GetProperty("userName").GetString()!;
        var village = await host.SignedInAs(mediator);
        var seen = await Body(await village.GetAsync($"/api/cases/{id}"));
        Assert.Contains("12345 热线", seen.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("GD-2026-0001", seen.GetRawText(), StringComparison.Ordinal);
        Assert.NotEmpty(units.EnumerateArray());
    }

    [Fact]
    public async Task AnotherAccountsCase_IsNotFound()
    {
        var admin = await host.SignedInAs("admin");
        var (_, _, hotlineKey, _) = await IssueKeyAsync(admin, "12345 热线 A");
        var (_, _, bureauKey, _) = await IssueKeyAsync(admin, "住建局");
        Assert.Equal(HttpStatusCode.Created, (await WithKey(host, hotlineKey).PostAsJsonAsync("/api/intake/cases", Dispute("A-1"))).StatusCode);

        await Problem(await WithKey(host, bureauKey).GetAsync("/api/intake/cases/A-1"), HttpStatusCode.NotFound);
        await Problem(await WithKey(host, hotlineKey).GetAsync("/api/intake/cases/NO-SUCH"), HttpStatusCode.NotFound);
        await Ok(await WithKey(host, hotlineKey).GetAsync("/api/intake/cases/A-1"));
    }

    [Fact]
    public async Task ARevokedKey_IsRefusedOnItsNextRequest()
    {
        var admin = await host.SignedInAs("admin");
        var (_, keyId, key, _) = await IssueKeyAsync(admin, "信访转办");
        var system = WithKey(host, key);
        Assert.Equal(HttpStatusCode.Created, (await system.PostAsJsonAsync("/api/intake/cases", Dispute("R-1"))).StatusCode);

        await Ok(await admin.PostAsync($"/api/admin/intake/keys/{keyId}/revocation", null));

        Assert.Equal(HttpStatusCode.Unauthorized, (await system.GetAsync("/api/intake/cases/R-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.PostAsJsonAsync("/api/intake/cases", Dispute("R-2"))).StatusCode);
        var listed = await Ok(await admin.GetAsync("/api/admin/intake/accounts"));
        var row = listed.EnumerateArray().SelectMany(a => a.GetProperty("keys").EnumerateArray()).Single(k => k.GetProperty("id").GetInt64() == keyId);
        Assert.NotEqual(JsonValueKind.Null, row.GetProperty("revokedAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, row.GetProperty("lastUsedAt").ValueKind);
    }

    [Fact]
    public async Task AWrongOrMissingKey_Is401()
    {
        var admin = await host.SignedInAs("admin");
        var (_, _, key, _) = await IssueKeyAsync(admin, "区司法局");
        var tampered = key[..^1] + (key[^1] == '0' ? '1' : '0');

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient().PostAsJsonAsync("/api/intake/cases", Dispute("W-1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithKey(host, tampered).PostAsJsonAsync("/api/intake/cases", Dispute("W-1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithKey(host, "mk_00000000_nothing").GetAsync("/api/intake/cases/W-1")).StatusCode);
        var viaHeader = host.CreateClient();
        viaHeader.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.Created, (await viaHeader.PostAsJsonAsync("/api/intake/cases", Dispute("W-1"))).StatusCode);
    }

    [Fact]
    public async Task AKey_CannotReachStaffEndpoints()
    {
        var admin = await host.SignedInAs("admin");
        var (accountId, _, key, _) = await IssueKeyAsync(admin, "城管热线");
        var system = WithKey(host, key);

        Assert.Equal(HttpStatusCode.Unauthorized, (await system.GetAsync("/api/cases")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.PostAsJsonAsync("/api/cases", new { channel = "hotline12345", category = "neighbour", summary = "x", riskLevel = "low", riskSignals = "none", parties = new[] { new { role = "applicant", name = "甲" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.GetAsync("/api/inbox")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.PostAsync($"/api/admin/intake/accounts/{accountId}/keys", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.GetAsync("/api/admin/intake/accounts")).StatusCode);
        // A staff session cannot use the intake endpoints either: they take a key only.
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("/api/intake/cases/X")).StatusCode);
    }

    [Fact]
    public async Task TheSecret_IsStoredOnlyHashed_AndTheAuditTrailNamesTheKeyWithoutIt()
    {
        var admin = await host.SignedInAs("admin");
        var (accountId, keyId, key, _) = await IssueKeyAsync(admin, "应急局");
        await Ok(await admin.PostAsync($"/api/admin/intake/keys/{keyId}/revocation", null));
        var secret = key[(key.LastIndexOf('_') + 1)..];

        await using var connection = await host.OpenConnectionAsync();
        var row = await ReadRowAsync(connection, $"SELECT prefix, secret_hash FROM api_keys WHERE id = {keyId}");
        Assert.Equal(key.Split('_')[1], row[0]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), row[1]);
        Assert.DoesNotContain(secret, row[1], StringComparison.Ordinal);

        var audit = await ReadRowsAsync(connection,
            $"SELECT action, COALESCE(after_json, '') || COALESCE(before_json, '') || subject_label FROM admin_audit_entries WHERE (subject_kind = 'systemAccount' AND subject_id = '{accountId}') OR (subject_kind = 'apiKey' AND subject_id = '{keyId}') ORDER BY id");
        Assert.Equal(["systemAccount.created", "apiKey.created", "apiKey.revoked"], audit.Select(a => a[0]));
        Assert.All(audit, a => Assert.DoesNotContain(secret, a[1], StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Line.Contains(secret, StringComparison.Ordinal));
        var remembered = await ReadRowsAsync(connection, "SELECT response FROM idempotency_records");
        Assert.DoesNotContain(remembered, r => r[0].Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadInput_IsProblemJsonNamingEachField_InTheClientsLanguage()
    {
        var admin = await host.SignedInAs("admin");
        var (_, _, key, _) = await IssueKeyAsync(admin, "人社局");
        var system = WithKey(host, key);
        system.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var body = new { externalReference = "", category = "neighbour", summary = "", riskLevel = "low", riskSignals = "none", parties = Array.Empty<object>() };

        var zh = await Problem(await system.PostAsJsonAsync("/api/intake/cases", body), HttpStatusCode.UnprocessableEntity);
        Assert.True(zh.GetProperty("errors").TryGetProperty("externalReference", out var reference));
        Assert.True(zh.GetProperty("errors").TryGetProperty("summary", out _));
        Assert.True(zh.GetProperty("errors").TryGetProperty("parties", out _));
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", reference.GetRawText());

        system.DefaultRequestHeaders.AcceptLanguage.Clear();
        system.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var en = await Problem(await system.PostAsJsonAsync("/api/intake/cases", body), HttpStatusCode.UnprocessableEntity);
        Assert.DoesNotMatch(@"\p{IsCJKUnifiedIdeographs}", en.GetProperty("errors").GetProperty("externalReference").GetRawText());

        var account = await Problem(await admin.PostAsJsonAsync("/api/admin/intake/accounts", new { name = "", unitId = 1, channel = "walkIn" }), HttpStatusCode.UnprocessableEntity);
        Assert.True(account.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(account.GetProperty("errors").TryGetProperty("channel", out _));
    }

    internal static async Task<JsonElement> Body(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    internal static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await Body(response);
    }

    internal static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await Body(response);
    }

    private static async Task<string[]> ReadRowAsync(DbConnection connection, string sql) => (await ReadRowsAsync(connection, sql)).Single();

    private static async Task<List<string[]>> ReadRowsAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToArray());
        return rows;
    }
}

/// <summary>A key sending more than its permits a minute gets 429 problem+json with Retry-After; another key is unaffected.</summary>
public sealed class IntakeRateLimitTests
{
    [Fact]
    public async Task AKeyOverItsPermits_Gets429WithRetryAfter()
    {
        using var host = new ApiHost { Settings = { ["Mediation:Intake:PermitsPerMinute"] = "2" } };
        var admin = await host.SignedInAs("admin");
        var (_, _, key, _) = await IntakeApiTests.IssueKeyAsync(admin, "12345 热线");
        var (_, _, other, _) = await IntakeApiTests.IssueKeyAsync(admin, "住建局");
        var system = IntakeApiTests.WithKey(host, key);

        Assert.Equal(HttpStatusCode.Created, (await system.PostAsJsonAsync("/api/intake/cases", IntakeApiTests.Dispute("L-1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await system.GetAsync("/api/intake/cases/L-1")).StatusCode);
        var limited = await system.GetAsync("/api/intake/cases/L-1");
        await IntakeApiTests.Problem(limited, (HttpStatusCode)429);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        Assert.Equal(HttpStatusCode.NotFound, (await IntakeApiTests.WithKey(host, other).GetAsync("/api/intake/cases/L-1")).StatusCode);
    }
}
