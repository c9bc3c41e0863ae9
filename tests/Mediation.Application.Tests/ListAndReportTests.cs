using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.ListCases;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Application.Features.Reports.CaseCounts;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Tests;

public class ListAndReportTests
{
    [Fact]
    public async Task CaseList_PagesByKeyset_InDeadlineOrder_WithEveryCaseExactlyOnce()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = new List<long>();
        for (var i = 0; i < 23; i++)
        {
            registered.Add((await host.SendAs(i % 2 == 0 ? "cun01-1" : "cun02-1", Disputes.Neighbour($"纠纷{i}"))).CaseId);
            host.Clock.Advance(TimeSpan.FromHours(7));
        }

        var seen = new List<CaseListItem>();
        string? after = null;
        do
        {
            var page = await host.SendAs("zhan1-1", new ListCases(PageSize: 5, After: after));
            Assert.True(page.Items.Count <= 5);
            seen.AddRange(page.Items);
            after = page.NextCursor;
        }
        while (after is not null);

        Assert.Equal(registered.Order(), seen.Select(c => c.Id).Order());
        Assert.Equal(seen.OrderBy(c => c.DeadlineAt).ThenBy(c => c.Id).Select(c => c.Id), seen.Select(c => c.Id));
        Assert.Equal(["东关社区调解点", "王家庄村调解点"], seen.Select(c => c.UnitName).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CaseList_FiltersByScopeStateLevelOverdueAndText()
    {
        await using var host = await MediationHost.StartAsync();
        var a = await host.SendAs("cun01-1", Disputes.Neighbour("甲村采光纠纷"));
        var b = await host.SendAs("cun06-1", Disputes.Neighbour("乙村采光纠纷"));
        var accepted = await host.SendAs("cun01-1", new AcceptCase(a.CaseId, a.Version));
        var escalated = await host.SendAs("cun01-1", new EscalateCase(accepted.CaseId, accepted.Version, "涉及多户"));

        Assert.Equal([a.CaseId], (await host.SendAs("zhan1-1", new ListCases())).Items.Select(c => c.Id));
        Assert.Equal([b.CaseId], (await host.SendAs("zhan2-1", new ListCases())).Items.Select(c => c.Id));
        Assert.Equal([a.CaseId], (await host.SendAs("zhuren", new ListCases(Level: "station"))).Items.Select(c => c.Id));
        Assert.Equal([b.CaseId], (await host.SendAs("xinfang1", new ListCases(State: "pending", Level: "village"))).Items.Select(c => c.Id));
        Assert.Empty((await host.SendAs("cun01-1", new ListCases())).Items);
        Assert.Equal([b.CaseId], (await host.SendAs("zhuren", new ListCases(Text: b.CaseNumber))).Items.Select(c => c.Id));
        Assert.Equal(2, (await host.SendAs("zhuren", new ListCases(Text: "王秀"))).Items.Count);

        Assert.Empty((await host.SendAs("zhuren", new ListCases(Overdue: true))).Items);
        host.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal([b.CaseId], (await host.SendAs("zhuren", new ListCases(Overdue: true))).Items.Select(c => c.Id));
        Assert.Equal(escalated.CaseId, Assert.Single((await host.SendAs("zhuren", new ListCases(Overdue: false))).Items).Id);

        await Assert.ThrowsAsync<NotFoundException>(() => host.SendAs("zhan2-1", new ListCases(UnitId: escalated.UnitId)));
        var invalid = await Assert.ThrowsAsync<RequestValidationException>(() => host.SendAs("zhuren", new ListCases(PageSize: 0, After: "not-a-cursor")));
        Assert.Equal(["after", "pageSize"], invalid.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Counts_PerLevelAndState_FollowEveryChange()
    {
        await using var host = await MediationHost.StartAsync();
        var a = await host.SendAs("cun01-1", Disputes.Neighbour());
        await host.SendAs("cun02-1", Disputes.Neighbour());
        await host.SendAs("cun06-1", Disputes.CollectiveWageArrears());
        await host.SendAs("cun06-1", Disputes.Neighbour());
        var accepted = await host.SendAs("cun01-1", new AcceptCase(a.CaseId, a.Version));
        await host.SendAs("cun01-1", new EscalateCase(accepted.CaseId, accepted.Version, "涉及多户"));

        var street = await host.SendAs("xinfang1", new CaseCounts());
        Assert.Equal(
            [new LevelStateCount("center", "pending", 1), new LevelStateCount("station", "pending", 1), new LevelStateCount("village", "pending", 2)],
            street.ByLevelAndState);
        Assert.Equal(4, street.Total);

        var station = await host.SendAs("zhan1-1", new CaseCounts());
        Assert.Equal([new LevelStateCount("station", "pending", 1), new LevelStateCount("village", "pending", 1)], station.ByLevelAndState);

        // Eight days on, the two village cases are past their 7-day limit; the station and center ones are not.
        host.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(1, (await host.SendAs("zhan1-1", new CaseCounts())).Overdue);
        Assert.Equal(2, (await host.SendAs("zhuren", new CaseCounts())).Overdue);
    }
}
