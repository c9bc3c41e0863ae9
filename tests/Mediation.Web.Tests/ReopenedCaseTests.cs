using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mediation.Web.Tests;

public class ReopenedCaseTests : IClassFixture<ApiHost>
{
    private readonly ApiHost _host;

    public ReopenedCaseTests(ApiHost host) => _host = host;

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static int Version(JsonElement changed) => changed.GetProperty("version").GetInt32();

    [Fact]
    public async Task ACaseSettledAgainAfterAnUnsatisfiedFollowUp_ShowsBothAgreements_TheEarlierSuperseded_InBothLanguages()
    {
        var village = await _host.SignedInAs("cun01-1");
        var registered = await Ok(await village.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary = "院墙排水纠纷", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "王秀英" }, new { role = "respondent", name = "李德胜" } },
        }));
        var id = registered.GetProperty("caseId").GetInt64();
        var at = await Ok(await village.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = Version(registered) }));
        at = await Ok(await village.PostAsJsonAsync($"/api/cases/{id}/sessions", new { expectedVersion = Version(at), heldAt = DateTime.UtcNow.AddHours(-1), place = "调解室", attendees = "双方", summary = "协商" }));
        at = await Ok(await village.PostAsJsonAsync($"/api/cases/{id}/resolve", new { expectedVersion = Version(at), terms = "一次性补偿2000元", acceptedByParties = true }));
        at = await Ok(await village.PostAsJsonAsync($"/api/cases/{id}/close", new { expectedVersion = Version(at), feedbackMethod = "电话", feedbackSummary = "已告知" }));
        var visit = (await Ok(await village.GetAsync($"/api/cases/{id}"))).GetProperty("followUps")[0].GetProperty("id").GetInt64();
        at = await Ok(await village.PostAsJsonAsync($"/api/cases/{id}/follow-ups", new { expectedVersion = Version(at), followUpId = visit, method = "上门", satisfaction = "unsatisfied", performance = "notPerformed" }));

        var settledAgain = await village.PostAsJsonAsync($"/api/cases/{id}/resolve", new { expectedVersion = Version(at), terms = "分两期补偿3000元", acceptedByParties = true });

        Assert.Equal(HttpStatusCode.OK, settledAgain.StatusCode);
        var details = await Ok(await village.GetAsync($"/api/cases/{id}"));
        var agreements = details.GetProperty("agreements").EnumerateArray().Select(a => (a.GetProperty("terms").GetString(), a.GetProperty("superseded").GetBoolean())).ToList();
        Assert.Equal([("一次性补偿2000元", true), ("分两期补偿3000元", false)], agreements);
        Assert.Contains(details.GetProperty("followUps").EnumerateArray(), f => f.GetProperty("status").GetString() == "cancelled");

        var chinese = WebUtility.HtmlDecode(await village.GetStringAsync($"/cases/{id}"));
        Assert.Contains("已被新协议取代", chinese, StringComparison.Ordinal);
        Assert.Contains("已取消", chinese, StringComparison.Ordinal);
        await village.GetAsync($"/lang?to=en&back=/cases/{id}");
        var english = WebUtility.HtmlDecode(await village.GetStringAsync($"/cases/{id}"));
        Assert.Contains("Superseded by a later agreement", english, StringComparison.Ordinal);
    }
}
