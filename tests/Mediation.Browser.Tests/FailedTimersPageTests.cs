using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static Microsoft.Playwright.Assertions;

namespace Mediation.Browser.Tests;

public class FailedTimersPageTests(RunningProduct product) : IClassFixture<RunningProduct>
{
    [Fact]
    public async Task AnAdministrator_RetriesAFailedTimer_FromTheAdministrationPage()
    {
        using var http = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = new Uri(product.BaseUrl) };
        (await http.PostAsJsonAsync("/api/session", new { userName = "cun01-1", password = "Demo@2026" })).EnsureSuccessStatusCode();
        var registered = await http.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary = "邻居加盖房屋遮挡采光", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "王秀英" } },
        });
        var body = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement;
        var (caseId, caseNumber) = (body.GetProperty("caseId").GetInt64(), body.GetProperty("caseNumber").GetString()!);
        // As the dispatcher leaves a timer after its last failed attempt.
        await using (var db = new SqliteConnection($"Data Source={product.DatabaseFile};Pooling=False"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = $"UPDATE case_timers SET status = 'Failed', attempts = 8, last_error = 'KeyNotFoundException: Workflow version 99 is not loaded', resolved_at = due_at WHERE case_id = {caseId} AND kind = 'AcceptanceDeadline'";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var admin = await product.SignedInAs("admin");
        await admin.GotoAsync(product.BaseUrl + "/admin");
        await RunningProduct.NewDocumentAfter(admin, () => admin.ClickAsync("#failed-timers-link"));
        var row = admin.Locator("#failed-timers tr", new() { HasText = caseNumber });
        await Expect(row).ToContainTextAsync("受理时限到期");
        await Expect(row).ToContainTextAsync("version 99");
        await RunningProduct.Screenshot(admin, "admin-failed-timers");

        await RunningProduct.NewDocumentAfter(admin, () => row.Locator("button", new() { HasText = "重试" }).ClickAsync());
        await Expect(admin.Locator("p.notice")).ToHaveTextAsync("已处理并记录");
        await Expect(admin.Locator("#failed-timers tr", new() { HasText = caseNumber })).ToHaveCountAsync(0);
    }
}
