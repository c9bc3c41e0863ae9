using System.Text.Json.Nodes;
using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Cases.TakeAction;
using Mediation.Domain.Cases;

namespace Mediation.Application.Tests;

public class WorkflowVersionTests
{
    [Fact]
    public async Task PublishingVersion2_LeavesRunningCasesOnVersion1_AndNewCasesTakeVersion2()
    {
        var workflows = CopyOfShippedWorkflows();
        await using var host = await MediationHost.StartAsync(workflows);
        var running = await host.SendAs("cun01-1", Disputes.Neighbour());
        var runningAccepted = await host.SendAs("cun01-1", new AcceptCase(running.CaseId, running.Version));

        // Version 2: the village limit drops to 3 days and a new state "awaiting appraisal" appears, all in JSON.
        File.WriteAllText(Path.Combine(workflows, "mediation-1-9-n.v2.json"), Version2());
        await host.RestartAsync();

        var fresh = await host.SendAs("cun01-1", Disputes.Neighbour("宅基地边界争议"));
        var freshAccepted = await host.SendAs("cun01-1", new AcceptCase(fresh.CaseId, fresh.Version));
        var appraising = await host.SendAs("cun01-1", new TakeAction(freshAccepted.CaseId, freshAccepted.Version, "awaitAppraisal", "委托测绘"));
        Assert.Equal("awaitingAppraisal", appraising.State);
        Assert.Equal(new DateTime(2026, 3, 5, 16, 0, 0, DateTimeKind.Utc), fresh.DeadlineAt);

        var old = await host.SendAs("cun01-1", new GetCase(runningAccepted.CaseId));
        Assert.Equal(1, old.WorkflowVersion);
        Assert.DoesNotContain("awaitAppraisal", old.AllowedActions);
        Assert.Equal(new DateTime(2026, 3, 9, 16, 0, 0, DateTimeKind.Utc), old.DeadlineAt);
        await Assert.ThrowsAsync<TransitionNotAllowedException>(() =>
            host.SendAs("cun01-1", new TakeAction(old.Id, old.Version, "awaitAppraisal", null)));
        Assert.Equal(2, (await host.SendAs("cun01-1", new GetCase(fresh.CaseId))).WorkflowVersion);
    }

    private static string CopyOfShippedWorkflows()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-tests", "workflows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "calendars"));
        File.Copy(Path.Combine(MediationHost.ShippedWorkflows, "mediation-1-9-n.json"), Path.Combine(folder, "mediation-1-9-n.json"));
        File.Copy(Path.Combine(MediationHost.ShippedWorkflows, "calendars", "cn-working-days.json"), Path.Combine(folder, "calendars", "cn-working-days.json"));
        return folder;
    }

    private static string Version2()
    {
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(MediationHost.ShippedWorkflows, "mediation-1-9-n.json")))!.AsObject();
        doc["version"] = 2;
        doc["levels"]![0]!["timeLimit"]!["days"] = 3;
        doc["states"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "awaitingAppraisal",
            ["title"] = new JsonObject { ["zh"] = "等待鉴定", ["en"] = "Awaiting appraisal" },
        });
        string[] mediators = ["villageMediator", "stationMediator", "centerMediator", "centerDirector"];
        doc["transitions"]!.AsArray().Add(new JsonObject
        {
            ["action"] = "awaitAppraisal",
            ["title"] = new JsonObject { ["zh"] = "委托鉴定", ["en"] = "Send for appraisal" },
            ["from"] = new JsonArray("accepted", "mediating"),
            ["to"] = "awaitingAppraisal",
            ["roles"] = new JsonArray(mediators.Select(r => (JsonNode?)r).ToArray()),
        });
        doc["transitions"]!.AsArray().Add(new JsonObject
        {
            ["action"] = "appraisalDone",
            ["title"] = new JsonObject { ["zh"] = "鉴定完成", ["en"] = "Appraisal done" },
            ["from"] = new JsonArray("awaitingAppraisal"),
            ["to"] = "mediating",
            ["roles"] = new JsonArray(mediators.Select(r => (JsonNode?)r).ToArray()),
        });
        return doc.ToJsonString();
    }
}
