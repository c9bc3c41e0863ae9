using System.Text.Json;
using System.Text.Json.Nodes;
using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.DeclineCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Deadlines.SuspendCase;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Application.Features.Workflow.Migrations;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Deadlines;
using Mediation.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Tests;

// Version 2 (Fixtures/migration) renames "mediating" to "inMediation" and the level "station" to "district", adds
// "awaitingAppraisal", and shortens the village limit to 3 days and the district's to 10; its file recomputes deadlines
// from the time already spent, except at the center, where it keeps them.
public class WorkflowMigrationTests
{
    private const string MigrationId = "mediation-1-9-n.v1-to-v2";
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "migration");
    private static readonly JsonSerializerOptions Compare = new() { WriteIndented = false };

    [Fact]
    public async Task MigratingToVersion2_UnderRunningCasesWithTimers_MovesStatesAndLevels_AndRecomputesDeadlinesFromTimeSpent()
    {
        var workflows = Workflows();
        await using var host = await MediationHost.StartAsync(workflows);
        var waiting = await host.SendAs("cun01-1", Disputes.Neighbour("等待受理"));
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var declined = await host.SendAs("cun01-1", Disputes.Neighbour("已在法院起诉"));
        await host.SendAs("cun01-1", new DeclineCase(declined.CaseId, declined.Version, "已向法院起诉"));
        host.Clock.Advance(TimeSpan.FromDays(1));
        var escalating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var atStation = await host.SendAs("cun01-1", new EscalateCase(escalating.CaseId, escalating.Version, "村级调解不成"));
        var suspended = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        await host.SendAs("cun01-1", new SuspendCase(suspended.CaseId, suspended.Version, "等待鉴定结论"));
        Assert.Equal(new DateTime(2026, 3, 9, 16, 0, 0, DateTimeKind.Utc), waiting.DeadlineAt);
        Assert.Equal(new DateTime(2026, 3, 18, 16, 0, 0, DateTimeKind.Utc), atStation.DeadlineAt);

        await PublishVersion2(host, workflows);
        host.Clock.Advance(TimeSpan.FromHours(3));
        var preview = await host.SendAs("admin", new PreviewWorkflowMigration(MigrationId));
        Assert.Equal(0, await host.Query(db => db.Cases.CountAsync(c => c.WorkflowVersion == 2)));
        var applied = await host.SendAs("admin", new ApplyWorkflowMigration(MigrationId));

        // The preview said exactly what the apply did, case by case, timer by timer.
        Assert.Equal(JsonSerializer.Serialize(preview.Cases, Compare), JsonSerializer.Serialize(applied.Cases, Compare));
        Assert.Equal(JsonSerializer.Serialize(preview.Refused, Compare), JsonSerializer.Serialize(applied.Refused, Compare));
        Assert.Equal(JsonSerializer.Serialize(preview.Moves, Compare), JsonSerializer.Serialize(applied.Moves, Compare));
        Assert.Equal(4, applied.Cases.Count);
        Assert.Contains(applied.Moves, m => m is { FromState: "mediating", FromLevel: "village", ToState: "inMediation", ToLevel: "village", Cases: 1 });
        Assert.Contains(applied.Moves, m => m is { FromState: "pending", FromLevel: "station", ToState: "pending", ToLevel: "district", Cases: 1 });

        // The waiting case's acceptance limit drops from 2 working days to 1.
        Assert.Contains(applied.Cases.Single(c => c.CaseId == waiting.CaseId).Timers, t => t.Kind == TimerKind.AcceptanceDeadline && t.Change == TimerChangeKind.Moved);

        // Village: 3 days from registration on 2 March instead of 7; district: 10 days from entering on 3 March instead of 15.
        var villageDeadline = new DateTime(2026, 3, 5, 16, 0, 0, DateTimeKind.Utc);
        await AssertCase(host, waiting.CaseId, "pending", "village", villageDeadline);
        await AssertCase(host, mediating.CaseId, "inMediation", "village", villageDeadline);
        await AssertCase(host, atStation.CaseId, "pending", "district", new DateTime(2026, 3, 13, 16, 0, 0, DateTimeKind.Utc));
        await AssertCase(host, declined.CaseId, "declined", "village", null);

        // Each pending timer now says what the case's new rules say: the deadline moved, the level renamed.
        var timers = await host.Query(db => db.CaseTimers.AsNoTracking().Where(t => t.Status == TimerStatus.Pending).ToListAsync());
        Assert.Equal(villageDeadline, Assert.Single(timers, t => t.CaseId == mediating.CaseId && t.Kind == TimerKind.LevelDeadline && t.DueAt > host.Clock.GetUtcNow()).DueAt);
        var district = timers.Where(t => t.CaseId == atStation.CaseId && t.Level != "village").ToList();
        Assert.Equal(2, district.Count);
        Assert.All(district, t => Assert.Equal("district", t.Level));
        Assert.Contains(district, t => t.Kind == TimerKind.LevelDeadline && t.DueAt == new DateTime(2026, 3, 13, 16, 0, 0, DateTimeKind.Utc));
        Assert.Contains(district, t => t.Kind == TimerKind.AcceptanceDeadline);
        var changed = applied.Cases.Single(c => c.CaseId == atStation.CaseId).Timers;
        Assert.Contains(changed, t => t.Kind == TimerKind.LevelDeadline && t.Change == TimerChangeKind.Moved && t.DueAfter == new DateTime(2026, 3, 13, 16, 0, 0, DateTimeKind.Utc));
        Assert.Contains(changed, t => t.Kind == TimerKind.AcceptanceDeadline && t.Change == TimerChangeKind.Relabelled);

        // One history line per case, naming both versions.
        var events = await host.Query(db => db.CaseEvents.AsNoTracking().Where(e => e.Action == DisputeCase.MigratedAction).ToListAsync());
        Assert.Equal(4, events.Count);
        var moved = Assert.Single(events, e => e.CaseId == mediating.CaseId);
        Assert.Equal(("mediating", "inMediation"), (moved.FromState, moved.ToState));
        var payload = JsonNode.Parse(moved.Payload)!;
        Assert.Equal((1, 2, "recomputeFromTimeSpent"), ((int)payload["fromVersion"]!, (int)payload["toVersion"]!, (string)payload["deadlineRule"]!));

        // The migrated timers fire under version 2's rules: the waiting case is handed up to the renamed level.
        host.Clock.Advance(new DateTime(2026, 3, 5, 17, 0, 0, DateTimeKind.Utc) - host.Clock.GetUtcNow());
        await host.FireDueTimersAsync();
        var handedUp = await host.SendAs("cun01-1", new GetCase(waiting.CaseId));
        Assert.Equal(("pending", "district", 2), (handedUp.State, handedUp.Level, handedUp.WorkflowVersion));
    }

    [Fact]
    public async Task ACaseThatCannotBeMigrated_IsRefusedWithTheReason_AndASecondApplyMovesNothing()
    {
        var workflows = Workflows();
        await using var host = await MediationHost.StartAsync(workflows);
        var running = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var suspended = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        await host.SendAs("cun01-1", new SuspendCase(suspended.CaseId, suspended.Version, "等待鉴定结论"));
        await PublishVersion2(host, workflows);

        var first = await host.SendAs("admin", new ApplyWorkflowMigration(MigrationId));
        Assert.Equal([running.CaseId], first.Cases.Select(c => c.CaseId));
        var refused = Assert.Single(first.Refused);
        Assert.Equal(suspended.CaseId, refused.CaseId);
        Assert.Contains("suspended", refused.Refusal, StringComparison.Ordinal);
        Assert.Contains("恢复计时", refused.RefusalZh, StringComparison.Ordinal);
        Assert.Equal(1, (await host.SendAs("cun01-1", new GetCase(suspended.CaseId))).WorkflowVersion);

        var eventsBefore = await host.Query(db => db.CaseEvents.CountAsync());
        var second = await host.SendAs("admin", new ApplyWorkflowMigration(MigrationId));
        Assert.Empty(second.Cases);
        Assert.Single(second.Refused);
        Assert.Equal(eventsBefore, await host.Query(db => db.CaseEvents.CountAsync()));
        Assert.Equal(1, await host.Query(db => db.AdminAuditEntries.CountAsync(e => e.Action == "workflow.casesMigrated")));
        var listed = Assert.Single(await host.SendAs("admin", new ListWorkflowMigrations()));
        Assert.Equal((1, 2, 1), (listed.FromVersion, listed.ToVersion, listed.CasesOnSource));
    }

    [Fact]
    public async Task OnlyAnAdministrator_PreviewsOrApplies()
    {
        var workflows = Workflows();
        await using var host = await MediationHost.StartAsync(workflows);
        await PublishVersion2(host, workflows);
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs("cun01-1", new ApplyWorkflowMigration(MigrationId)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs("cun01-1", new PreviewWorkflowMigration(MigrationId)));
        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("admin", new PreviewWorkflowMigration("no-such-file")));
    }

    public static TheoryData<string, string, string> BrokenFiles => new()
    {
        { """{ "states": { "failed": null } }""", "$.states", "UnmappedState: state 'failed' of version 1 is not mapped" },
        { """{ "states": { "mediating": "talking" } }""", "$.states.mediating", "UnknownState: version 2 has no state 'talking'" },
        { """{ "levels": null }""", "$.levels", "UnmappedLevel: level 'station' of version 1 is gone from version 2" },
        { """{ "states": { "mediating": "resolved" } }""", "$.states.mediating", "TimerLosesMeaning: the clock runs in 'mediating' but not in 'resolved'" },
        { """{ "states": { "resolved": "inMediation" } }""", "$.states.resolved", "ClockWouldStart" },
        { """{ "to": 3 }""", "$.to", "UnknownWorkflow: no file defines workflow 'mediation-1-9-n' version 3" },
        { """{ "deadlines": { "rule": "whatever" } }""", "$.deadlines.rule", "InvalidValue" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void ABrokenMigrationFile_RefusesStart_NamingFilePathAndRule(string change, string path, string rule)
    {
        var workflows = Workflows();
        File.Copy(Path.Combine(Fixtures, "mediation-1-9-n.v2.json"), Path.Combine(workflows, "mediation-1-9-n.v2.json"));
        var file = Path.Combine(workflows, MigrationId + ".migration.json");
        var doc = Merge(JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, MigrationId + ".migration.json")))!.AsObject(), JsonNode.Parse(change)!.AsObject());
        File.WriteAllText(file, doc.ToJsonString());

        var refused = Assert.Throws<StartupRefusedException>(() => InfrastructureServices.LoadWorkflows(new MediationOptions { WorkflowsPath = workflows }));
        Assert.Contains($"{MigrationId}.migration.json: {path}: {rule}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATimerThatLosesMeaning_IsDroppedWhenTheFileSaysSo()
    {
        var workflows = Workflows();
        File.Copy(Path.Combine(Fixtures, "mediation-1-9-n.v2.json"), Path.Combine(workflows, "mediation-1-9-n.v2.json"));
        var doc = Merge(JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, MigrationId + ".migration.json")))!.AsObject(),
            JsonNode.Parse("""{ "states": { "mediating": "resolved" }, "timersThatLoseMeaning": "drop" }""")!.AsObject());
        File.WriteAllText(Path.Combine(workflows, MigrationId + ".migration.json"), doc.ToJsonString());
        var catalog = InfrastructureServices.LoadWorkflows(new MediationOptions { WorkflowsPath = workflows });
        Assert.Equal("resolved", catalog.Migrations.Find(MigrationId)!.States["mediating"]);
    }

    private static async Task AssertCase(MediationHost host, long caseId, string state, string level, DateTime? deadline)
    {
        var c = await host.SendAs("cun01-1", new GetCase(caseId));
        Assert.Equal((2, state, level, deadline), (c.WorkflowVersion, c.State, c.Level, c.DeadlineAt));
    }

    private static async Task PublishVersion2(MediationHost host, string workflows)
    {
        File.Copy(Path.Combine(Fixtures, "mediation-1-9-n.v2.json"), Path.Combine(workflows, "mediation-1-9-n.v2.json"));
        File.Copy(Path.Combine(Fixtures, MigrationId + ".migration.json"), Path.Combine(workflows, MigrationId + ".migration.json"));
        await host.RestartAsync();
    }

    // A null removes the member; an object merges into the one it replaces.
    private static JsonObject Merge(JsonObject target, JsonObject change)
    {
        foreach (var (name, value) in change.ToList())
        {
            if (value is null)
                target.Remove(name);
            else if (value is JsonObject inner && target[name] is JsonObject existing)
                Merge(existing, inner);
            else
                target[name] = value.DeepClone();
        }
        return target;
    }

    private static string Workflows()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-tests", "workflows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "calendars"));
        File.Copy(Path.Combine(MediationHost.ShippedWorkflows, "mediation-1-9-n.json"), Path.Combine(folder, "mediation-1-9-n.json"));
        File.Copy(Path.Combine(MediationHost.ShippedWorkflows, "calendars", "cn-working-days.json"), Path.Combine(folder, "calendars", "cn-working-days.json"));
        return folder;
    }
}
