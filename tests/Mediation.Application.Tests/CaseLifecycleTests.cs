using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.CloseCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Cases.RecordFailure;
using Mediation.Application.Features.Cases.ReopenCase;
using Mediation.Application.Features.Cases.ResolveCase;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Application.Features.Escalation.ReferOut;
using Mediation.Application.Features.Reports.SettlementShare;
using Mediation.Domain.Cases;
using Mediation.Domain.Supervision;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Tests;

public class CaseLifecycleTests
{
    [Fact]
    public async Task Village_SettlesANeighbourDispute_AndTheHistoryReplaysToTheCase()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var resolved = await host.SendAs("cun01-1", new ResolveCase(mediating.CaseId, mediating.Version, "李德胜补偿王秀英采光损失3000元，于4月1日前付清。", true, [new DateOnly(2026, 4, 1)]));
        var closed = await host.SendAs("cun01-1", new CloseCase(resolved.CaseId, resolved.Version, "电话告知", "已告知申请人调解结果，申请人表示满意。"));

        Assert.Equal(("closed", "village", "resolved", 5), (closed.State, closed.Level, closed.Outcome, closed.Version));
        var details = await host.SendAs("cun01-1", new GetCase(closed.CaseId));
        Assert.Equal(["register", "accept", "recordSession", "resolve", "close"], details.Timeline.Select(e => e.Action));
        Assert.All(details.Timeline, e => Assert.Equal("villageMediator", e.ActorRole));
        Assert.Single(details.Timeline.Select(e => e.ActorId).Distinct());
        Assert.Equal([new DateOnly(2026, 4, 1)], details.Agreement!.DueDates);
        Assert.Null(details.DeadlineAt);

        var (stored, events) = await host.Query(async db => (
            await db.Cases.AsNoTracking().SingleAsync(c => c.Id == closed.CaseId),
            await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == closed.CaseId).ToListAsync()));
        Assert.Equal(new CaseSnapshot(stored.State, stored.Level, stored.UnitId, stored.Outcome, stored.Version), CaseHistory.Replay(events));

        var share = await host.SendAs("zhuren", new SettlementShare());
        Assert.Equal(1, share.Settled);
        Assert.Equal(1.0, share.Levels.Single(l => l.Level == "village").Share);
    }

    [Fact]
    public async Task Dispute_FailsAtTheVillageAndTheStation_IsSettledAtTheCenter()
    {
        await using var host = await MediationHost.StartAsync();
        var atVillage = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var failed = await host.SendAs("cun01-1", new RecordFailure(atVillage.CaseId, atVillage.Version, "被申请人拒绝任何补偿"));
        var atStation = await host.SendAs("cun01-1", new EscalateCase(failed.CaseId, failed.Version, "村级调解不成，提请管区调解站"));
        Assert.Equal(("pending", "station"), (atStation.State, atStation.Level));

        var accepted = await host.SendAs("zhan1-1", new AcceptCase(atStation.CaseId, atStation.Version));
        var session = await host.SendAs("zhan1-1", Disputes.Session(host, accepted));
        var stationFailed = await host.SendAs("zhan1-1", new RecordFailure(session.CaseId, session.Version, "双方分歧较大"));
        var atCenter = await host.SendAs("zhan1-1", new EscalateCase(stationFailed.CaseId, stationFailed.Version, "提请街道矛调中心"));
        Assert.Equal(("pending", "center"), (atCenter.State, atCenter.Level));

        var centerAccepted = await host.SendAs("zhongxin1", new AcceptCase(atCenter.CaseId, atCenter.Version));
        var centerSession = await host.SendAs("zhongxin1", Disputes.Session(host, centerAccepted));
        var resolved = await host.SendAs("zhongxin1", new ResolveCase(centerSession.CaseId, centerSession.Version, "补偿5000元", true, []));
        Assert.Equal(("resolved", "center", "resolved"), (resolved.State, resolved.Level, resolved.Outcome));

        var details = await host.SendAs("zhongxin1", new GetCase(resolved.CaseId));
        var escalations = details.Timeline.Where(e => e.Action == "escalate").ToList();
        Assert.Equal([("village", "station"), ("station", "center")], escalations.Select(e => (e.FromLevel!, e.Level)));
        Assert.Contains("\"firstResponsibleId\"", escalations[0].Payload, StringComparison.Ordinal);

        var share = await host.SendAs("zhuren", new SettlementShare());
        Assert.Equal(1.0, share.Levels.Single(l => l.Level == "center").Share);
        Assert.Equal(0.0, share.Levels.Single(l => l.Level == "village").Share);
    }

    [Fact]
    public async Task MajorDispute_StartsAtTheCenter_AndNotifiesTheCenterAndThePetitionOffice()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun05-1", Disputes.CollectiveWageArrears());

        Assert.Equal(("pending", "center"), (registered.State, registered.Level));
        var details = await host.SendAs("zhongxin1", new GetCase(registered.CaseId));
        Assert.True(details.IsMajor);
        Assert.Equal("临山街道矛盾纠纷调处中心", details.UnitName);

        var notices = await host.Query(db => db.Notices.AsNoTracking().Where(n => n.CaseId == registered.CaseId).ToListAsync());
        Assert.Equal(["centerDirector", "centerMediator", "petitionOffice"], notices.Select(n => n.RecipientRole).Order());
        Assert.All(notices, n => Assert.Equal(Notice.Kinds.MajorDisputeReported, n.Kind));
        Assert.All(notices, n => Assert.Equal(details.UnitId, n.RecipientUnitId));
    }

    [Fact]
    public async Task ActionNotAllowedInTheCurrentState_IsRefusedNamingTheStateAndTheAllowedActions()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());

        var refused = await Assert.ThrowsAsync<TransitionNotAllowedException>(() =>
            host.SendAs("cun01-1", new ResolveCase(registered.CaseId, registered.Version, "补偿", true, [])));
        Assert.Equal("pending", refused.State);
        Assert.Equal(["accept", "decline", "withdraw", "suspend"], refused.AllowedActions);
        Assert.Contains("'pending'", refused.Message, StringComparison.Ordinal);

        var stored = await host.Query(db => db.Cases.AsNoTracking().SingleAsync(c => c.Id == registered.CaseId));
        Assert.Equal(("pending", 1), (stored.State, stored.Version));
    }

    [Fact]
    public async Task ReferOut_IsOnlyForTheCenter()
    {
        await using var host = await MediationHost.StartAsync();
        var atVillage = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        await Assert.ThrowsAsync<TransitionNotAllowedException>(() =>
            host.SendAs("cun01-1", new ReferOut(atVillage.CaseId, atVillage.Version, ReferralTarget.Court, "临山区人民法院", "涉及诉讼")));

        var major = await host.SendAs("zhongxin1", Disputes.CollectiveWageArrears());
        var accepted = await host.SendAs("zhongxin1", new AcceptCase(major.CaseId, major.Version));
        var session = await host.SendAs("zhongxin1", Disputes.Session(host, accepted));
        var referred = await host.SendAs("zhongxin1", new ReferOut(session.CaseId, session.Version, ReferralTarget.Department, "区人社局劳动监察大队", "欠薪属劳动监察职责"));
        Assert.Equal(("referred", "referred"), (referred.State, referred.Outcome));
    }

    [Fact]
    public async Task CaseReloadedAfterARestart_CarriesOnWhereItWas()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");

        await host.RestartAsync();

        var details = await host.SendAs("cun01-1", new GetCase(mediating.CaseId));
        Assert.Equal(("mediating", 3), (details.State, details.Version));
        Assert.Contains("resolve", details.AllowedActions);
        var resolved = await host.SendAs("cun01-1", new ResolveCase(details.Id, details.Version, "互谅互让，被申请人降低加盖高度", true, []));
        Assert.Equal(("resolved", 4), (resolved.State, resolved.Version));
    }

    [Fact]
    public async Task ClosedCase_Reopened_RunsItsLevelClockAgain()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var resolved = await host.SendAs("cun01-1", new ResolveCase(mediating.CaseId, mediating.Version, "补偿", true, []));
        var closed = await host.SendAs("cun01-1", new CloseCase(resolved.CaseId, resolved.Version, "上门告知", "已告知"));
        host.Clock.Advance(TimeSpan.FromDays(40));

        var reopened = await host.SendAs("cun01-1", new ReopenCase(closed.CaseId, closed.Version, "回访不满意：补偿未到位"));

        Assert.Equal(("mediating", null), (reopened.State, reopened.Outcome));
        Assert.True(reopened.DeadlineAt > host.Clock.GetUtcNow().UtcDateTime.AddDays(6));
    }

    [Fact]
    public async Task LevelDeadline_ComesFromTheDefinition()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());

        // Registered Monday 2026-03-02 09:00 China time; the village limit is 7 calendar days: through Monday 03-09.
        Assert.Equal(new DateTime(2026, 3, 9, 16, 0, 0, DateTimeKind.Utc), registered.DeadlineAt);
    }
}
