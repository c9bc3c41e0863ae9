using System.Data.Common;
using System.Text.Json.Nodes;
using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Persistence;
using Mediation.Infrastructure;
using Mediation.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mediation.Application.Tests;

// A published (key, version) never changes under running cases; start-up says which file, which version, how many cases.
public class PublishedWorkflowTests
{
    private const string V1File = "mediation-1-9-n.json";

    [Fact]
    public async Task EditingVersion1_WhileCasesPinIt_RefusesToStart_NamingFileVersionAndCases()
    {
        var workflows = CopyOfShippedWorkflows();
        await using var host = await MediationHost.StartAsync(workflows);
        await host.SendAs("cun01-1", Disputes.Neighbour());
        await host.SendAs("cun01-1", Disputes.Neighbour("宅基地边界争议"));

        var original = File.ReadAllText(Path.Combine(workflows, V1File));
        Edit(workflows, doc => doc["levels"]![0]!["timeLimit"]!["days"] = 3);
        var refused = await Assert.ThrowsAsync<StartupRefusedException>(host.RestartAsync);
        Assert.Contains(V1File, refused.Message, StringComparison.Ordinal);
        Assert.Contains("version 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("2 case(s)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("version 2", refused.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(workflows, V1File), original);
        await host.RestartAsync();
        Assert.Equal(2, await host.Query(db => db.Cases.CountAsync()));
    }

    [Fact]
    public async Task RemovingThePinnedVersionsFile_RefusesToStart()
    {
        var workflows = CopyOfShippedWorkflows();
        await using var host = await MediationHost.StartAsync(workflows);
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        await host.SendAs("cun01-1", new AcceptCase(registered.CaseId, registered.Version));

        // Version 2 published by replacing the file instead of adding one: version 1's rules are gone.
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(workflows, V1File)))!.AsObject();
        doc["version"] = 2;
        File.WriteAllText(Path.Combine(workflows, "mediation-1-9-n.v2.json"), doc.ToJsonString());
        File.Delete(Path.Combine(workflows, V1File));

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(host.RestartAsync);
        Assert.Contains("'mediation-1-9-n' version 1 is pinned by 1 case(s)", refused.Message, StringComparison.Ordinal);
        Assert.Contains(V1File, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReformattingAPublishedFile_KeepsItsMeaning_AndStarts()
    {
        var workflows = CopyOfShippedWorkflows();
        await using var host = await MediationHost.StartAsync(workflows);
        await host.SendAs("cun01-1", Disputes.Neighbour());

        var path = Path.Combine(workflows, V1File);
        File.WriteAllText(path, "// 2026-03 reformatted by the administrator\n" + JsonNode.Parse(File.ReadAllText(path))!.ToJsonString());
        await host.RestartAsync();
        Assert.Equal(1, await host.Query(db => db.Cases.CountAsync()));
    }

    [Fact]
    public async Task CorrectingAVersionNoCaseUses_IsAllowed_ThenItIsFixedOnceUsed()
    {
        var workflows = CopyOfShippedWorkflows();
        await using var host = await MediationHost.StartAsync(workflows);
        Edit(workflows, doc => doc["levels"]![0]!["timeLimit"]!["days"] = 10);
        await host.RestartAsync();
        var recorded = await host.Query(db => db.WorkflowVersions.AsNoTracking().SingleAsync());
        Assert.Equal((V1File, 1), (recorded.File, recorded.Version));

        await host.SendAs("cun01-1", Disputes.Neighbour());
        Edit(workflows, doc => doc["levels"]![0]!["timeLimit"]!["days"] = 12);
        await Assert.ThrowsAsync<StartupRefusedException>(host.RestartAsync);
    }

    [Fact]
    public void MissingCalendar_RefusesToStart_UnlessWeekdaysOnlyIsChosen()
    {
        var workflows = CopyOfShippedWorkflows();
        File.Delete(Path.Combine(workflows, "calendars", "cn-working-days.json"));

        var refused = Assert.Throws<StartupRefusedException>(() => InfrastructureServices.LoadWorkflows(new MediationOptions { WorkflowsPath = workflows }));
        Assert.Contains("cn-working-days.json", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Mediation:Calendar=WeekdaysOnly", refused.Message, StringComparison.Ordinal);

        var weekdays = InfrastructureServices.LoadWorkflows(new MediationOptions { WorkflowsPath = workflows, Calendar = CalendarSource.WeekdaysOnly });
        Assert.Empty(weekdays.Calendar.YearsCovered);
    }

    [Fact]
    public void BrokenCalendar_RefusesToStart_WithFilePathAndRule()
    {
        var workflows = CopyOfShippedWorkflows();
        var calendar = Path.Combine(workflows, "calendars", "cn-working-days.json");
        File.WriteAllText(calendar, File.ReadAllText(calendar).Replace("\"10-01..10-07\"", "\"10-01..10-32\"", StringComparison.Ordinal));

        var refused = Assert.Throws<StartupRefusedException>(() => InfrastructureServices.LoadWorkflows(new MediationOptions { WorkflowsPath = workflows }));
        Assert.Contains(Path.Combine("calendars", "cn-working-days.json") + ": $.years.2026.off[6]: InvalidValue", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoHostsStartingTogether_OnNewVersion_RecordItOnce()
    {
        var workflows = CopyOfShippedWorkflows();
        await using var host = await MediationHost.StartAsync(workflows);
        await host.SendAs("cun01-1", Disputes.Neighbour());
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(workflows, V1File)))!.AsObject();
        doc["version"] = 2;
        File.WriteAllText(Path.Combine(workflows, "mediation-1-9-n.v2.json"), doc.ToJsonString());
        var catalog = InfrastructureServices.LoadWorkflows(new MediationOptions { WorkflowsPath = workflows });

        // Two connections on one database, both past reading workflow_versions before either writes version 2.
        var meet = new MeetAfterReadingVersions(2);
        var options = host.ContextOptions(meet);
        await using var first = new MediationDbContext(options);
        await using var second = new MediationDbContext(options);
        await Task.WhenAll(
            Task.Run(() => PublishedWorkflows.CheckAsync(first, catalog, workflows, host.Clock, CancellationToken.None)),
            Task.Run(() => PublishedWorkflows.CheckAsync(second, catalog, workflows, host.Clock, CancellationToken.None)));

        Assert.True(meet.Met);
        Assert.Equal([1, 2], await host.Query(db => db.WorkflowVersions.OrderBy(w => w.Version).Select(w => w.Version).ToListAsync()));
        Assert.Equal(1, await host.Query(db => db.AdminAuditEntries.CountAsync(e => e.SubjectId == "mediation-1-9-n@2")));
    }

    private sealed class MeetAfterReadingVersions(int parties) : DbCommandInterceptor
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public bool Met => _all.Task.IsCompletedSuccessfully;

        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            // SQLite's SQL quotes the table's name, PostgreSQL's only names that need it.
            if (command.CommandText.Contains("FROM \"workflow_versions\"", StringComparison.Ordinal) || command.CommandText.Contains("FROM workflow_versions", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref _arrived) == parties)
                    _all.TrySetResult();
                await _all.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            return result;
        }
    }

    private static void Edit(string workflows, Action<JsonObject> edit)
    {
        var path = Path.Combine(workflows, V1File);
        var doc = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(doc);
        File.WriteAllText(path, doc.ToJsonString());
    }

    private static string CopyOfShippedWorkflows()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-tests", "workflows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "calendars"));
        File.Copy(Path.Combine(MediationHost.ShippedWorkflows, V1File), Path.Combine(folder, V1File));
        File.Copy(Path.Combine(MediationHost.ShippedWorkflows, "calendars", "cn-working-days.json"), Path.Combine(folder, "calendars", "cn-working-days.json"));
        return folder;
    }
}
