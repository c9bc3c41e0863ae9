using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mediation.Web.Tests;

/// <summary>/admin/migrations on the demo street after version 2 is published beside a migration file: preview, confirm, apply.</summary>
public sealed partial class MigrationPageTests
{
    public const string MigrationId = "mediation-1-9-n.v1-to-v2";

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    [Fact]
    public async Task AnAdministrator_PreviewsTheMigration_MustConfirm_ThenApplies_AndTheCasePageShowsTheMigration()
    {
        using var host = await HostWithVersion2AndRunningCasesAsync();
        var admin = await host.SignedInAs("admin");

        var listed = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/workflow-migrations")).RootElement;
        var onSource = Assert.Single(listed.EnumerateArray()).GetProperty("casesOnSource").GetInt32();
        Assert.True(onSource > 0, "the demo street holds cases on version 1");

        var page = await Html(await admin.GetAsync("/admin/migrations"));
        Assert.Contains("mediation-1-9-n.v1-to-v2.migration.json", page, StringComparison.Ordinal);
        var preview = await Html(await Post(admin, "Preview", new() { ["migrationId"] = MigrationId }));
        Assert.Contains("迁移预览（尚未执行）", preview, StringComparison.Ordinal);
        Assert.Contains("调解中 · 村级调解点", preview, StringComparison.Ordinal);
        Assert.Contains("正在调解 · 村级调解点", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("inMediation", preview.Replace("value=\"" + MigrationId, "", StringComparison.Ordinal), StringComparison.Ordinal);

        // Without the tick nothing moves; with it the cases move.
        var unconfirmed = await Html(await Post(admin, "Apply", new() { ["migrationId"] = MigrationId }));
        Assert.Contains("请先勾选确认", unconfirmed, StringComparison.Ordinal);
        Assert.Equal(onSource, Assert.Single(JsonDocument.Parse(await admin.GetStringAsync("/api/admin/workflow-migrations")).RootElement.EnumerateArray()).GetProperty("casesOnSource").GetInt32());
        var applied = await Html(await Post(admin, "Apply", new() { ["migrationId"] = MigrationId, ["confirmed"] = "true" }));
        Assert.Contains("迁移结果", applied, StringComparison.Ordinal);
        var left = Assert.Single(JsonDocument.Parse(await admin.GetStringAsync("/api/admin/workflow-migrations")).RootElement.EnumerateArray()).GetProperty("casesOnSource").GetInt32();
        Assert.True(left < onSource);

        // A second apply through the API moves nothing more.
        var again = await admin.PostAsync($"/api/admin/workflow-migrations/{MigrationId}/apply", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("cases").GetArrayLength());

        var mediator = await host.SignedInAs("cun01-1");
        var cases = JsonDocument.Parse(await mediator.GetStringAsync("/api/cases")).RootElement.GetProperty("items").EnumerateArray().ToList();
        var migrated = cases.First(c => c.GetProperty("state").GetString() == "inMediation").GetProperty("id").GetInt64();
        var detail = await Html(await mediator.GetAsync($"/cases/{migrated}"));
        Assert.Contains("迁移到新流程版本", detail, StringComparison.Ordinal);
        Assert.Contains("调解中 → 正在调解", detail, StringComparison.Ordinal);

        // The second language, as the language switch sets it.
        await admin.GetAsync("/lang?to=en");
        var english = await Html(await Post(admin, "Preview", new() { ["migrationId"] = MigrationId }));
        Assert.Contains("Preview (nothing changed yet)", english, StringComparison.Ordinal);
        Assert.Contains("No case to move.", english, StringComparison.Ordinal);
    }

    // Two cases registered on version 1 (one waiting, one in mediation), then the product restarted with version 2 and its migration file.
    internal static async Task<ApiHost> HostWithVersion2AndRunningCasesAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-web-tests", Guid.NewGuid().ToString("N"));
        string? postgres;
        using (var first = new ApiHost { Folder = folder, KeepFolder = true })
        {
            var village = await first.SignedInAs("cun01-1");
            await Register(village, "邻居排水沟堵塞");
            var registered = await Register(village, "邻居加盖房屋遮挡采光");
            var accepted = await Send(village, $"/api/cases/{registered}/accept", new { expectedVersion = 1 });
            await Send(village, $"/api/cases/{registered}/sessions", new { expectedVersion = accepted, heldAt = DateTime.UtcNow.AddHours(-1), place = "调解室", attendees = "双方", summary = "陈述意见" });
            postgres = first.Postgres;
        }
        var host = new ApiHost { Folder = folder, Postgres = postgres, Settings = { ["Mediation:WorkflowsPath"] = WorkflowsWithVersion2() } };
        await host.SignedInAs("admin");
        return host;
    }

    [Fact]
    public async Task AnUnknownMigration_IsA404_InTheClientsLanguage()
    {
        using var host = new ApiHost();
        var admin = await host.SignedInAs("admin");
        using var chinese = new HttpRequestMessage(HttpMethod.Post, "/api/admin/workflow-migrations/nothing-here/preview");
        chinese.Headers.AcceptLanguage.ParseAdd("zh-CN");
        var zh = await admin.SendAsync(chinese);
        Assert.Equal(HttpStatusCode.NotFound, zh.StatusCode);
        Assert.Equal("application/problem+json", zh.Content.Headers.ContentType?.MediaType);
        Assert.Equal("未找到", (await zh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        using var english = new HttpRequestMessage(HttpMethod.Post, "/api/admin/workflow-migrations/nothing-here/apply");
        english.Headers.AcceptLanguage.ParseAdd("en");
        var en = await admin.SendAsync(english);
        Assert.Equal("Not found", (await en.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    private static async Task<long> Register(HttpClient client, string summary)
    {
        var response = await client.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary, riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "刘桂兰" }, new { role = "respondent", name = "陈建国" } },
        }, ApiHost.Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("caseId").GetInt64();
    }

    private static async Task<int> Send(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body, ApiHost.Json);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32();
    }

    private static async Task<string> Html(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
    }

    private static async Task<HttpResponseMessage> Post(HttpClient client, string handler, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync("/admin/migrations");
        fields["__RequestVerificationToken"] = TokenField().Match(page).Groups[1].Value;
        return await client.PostAsync($"/admin/migrations?handler={handler}", new FormUrlEncodedContent(fields));
    }

    private static string WorkflowsWithVersion2()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
        var fixtures = Fixtures();
        var folder = Path.Combine(Path.GetTempPath(), "mediation-web-tests", "workflows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "calendars"));
        File.Copy(Path.Combine(shipped, "mediation-1-9-n.json"), Path.Combine(folder, "mediation-1-9-n.json"));
        File.Copy(Path.Combine(shipped, "calendars", "cn-working-days.json"), Path.Combine(folder, "calendars", "cn-working-days.json"));
        File.Copy(Path.Combine(fixtures, "mediation-1-9-n.v2.json"), Path.Combine(folder, "mediation-1-9-n.v2.json"));
        File.Copy(Path.Combine(fixtures, MigrationId + ".migration.json"), Path.Combine(folder, MigrationId + ".migration.json"));
        return folder;
    }

    // The version 2 fixture lives with the Application tests; found from the build output up to the repository.
    private static string Fixtures()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Mediation.Application.Tests", "Fixtures", "migration");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException("tests/Mediation.Application.Tests/Fixtures/migration");
    }
}
