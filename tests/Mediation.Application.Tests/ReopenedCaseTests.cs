using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.CloseCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Cases.ReopenCase;
using Mediation.Application.Features.Cases.ResolveCase;
using Mediation.Application.Features.Deadlines.ResumeCase;
using Mediation.Application.Features.Deadlines.SuspendCase;
using Mediation.Application.Features.FollowUps.RecordFollowUp;
using Mediation.Application.Features.Reminders.GetInbox;
using Mediation.Domain.Deadlines;
using Mediation.Domain.FollowUps;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Tests;

public class ReopenedCaseTests
{
    [Fact]
    public async Task Resolve_AfterAnUnsatisfiedFollowUpReopened_KeepsEachAgreement_AndPlansNewVisits()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var resolved = await host.SendAs("cun01-1", new ResolveCase(mediating.CaseId, mediating.Version, "一次性补偿2000元", true, []));
        var closed = await host.SendAs("cun01-1", new CloseCase(resolved.CaseId, resolved.Version, "电话", "已告知"));
        var firstVisits = await Visits(host, closed.CaseId);
        Assert.Equal(2, firstVisits.Count);

        host.SetChinaTime(2026, 3, 9, 11);
        var reopened = await host.SendAs("cun01-1", new RecordFollowUp(closed.CaseId, closed.Version, firstVisits[0].Id, "上门", Satisfaction.Unsatisfied, Performance.NotPerformed, "补偿款未到位"));
        Assert.Equal("mediating", reopened.State);
        host.SetChinaTime(2026, 3, 11, 15);
        var settledAgain = await host.SendAs("cun01-1", new ResolveCase(reopened.CaseId, reopened.Version, "分两期补偿3000元", true, [new DateOnly(2026, 4, 20)]));
        var closedAgain = await host.SendAs("cun01-1", new CloseCase(settledAgain.CaseId, settledAgain.Version, "电话", "已告知新协议"));

        Assert.Equal(("closed", "resolved"), (closedAgain.State, closedAgain.Outcome));
        var details = await host.SendAs("cun01-1", new GetCase(closed.CaseId));
        Assert.Equal(["一次性补偿2000元", "分两期补偿3000元"], details.Agreements.Select(a => a.Terms));
        Assert.Equal([true, false], details.Agreements.Select(a => a.Superseded));
        Assert.Equal("分两期补偿3000元", details.Agreement!.Terms);

        var visits = await Visits(host, closed.CaseId);
        var old30Days = visits.Single(v => v.Id == firstVisits[1].Id);
        Assert.Equal(FollowUpStatus.Cancelled, old30Days.Status);
        Assert.Contains("申请人不满意", old30Days.CancelReason, StringComparison.Ordinal);
        Assert.Equal(FollowUpStatus.Done, visits.Single(v => v.Id == firstVisits[0].Id).Status);
        var planned = visits.Where(v => firstVisits.All(f => f.Id != v.Id)).ToList();
        Assert.Equal([new DateOnly(2026, 3, 18), new DateOnly(2026, 4, 10), new DateOnly(2026, 4, 20)], planned.Select(v => v.DueOn));
        Assert.All(planned, v => Assert.Equal(FollowUpStatus.Scheduled, v.Status));

        // The cancelled visit's timers never fire: no reminder and no supervision item for a closing that was undone.
        var timers = await host.Query(db => db.CaseTimers.AsNoTracking().Where(t => t.FollowUpId == old30Days.Id).ToListAsync());
        Assert.Equal(2, timers.Count);
        Assert.All(timers, t => Assert.Equal(TimerStatus.Skipped, t.Status));
    }

    [Fact]
    public async Task Reopen_ByHand_CancelsThePlannedVisits_AndTheyLeaveTheInbox()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var resolved = await host.SendAs("cun01-1", new ResolveCase(mediating.CaseId, mediating.Version, "补偿", true, []));
        var closed = await host.SendAs("cun01-1", new CloseCase(resolved.CaseId, resolved.Version, "电话", "已告知"));
        host.SetChinaTime(2026, 3, 10, 9);
        Assert.Contains((await host.SendAs("cun01-1", new GetInbox())).Items, i => i.CaseId == closed.CaseId && i.FollowUpId is not null);

        await host.SendAs("cun01-1", new ReopenCase(closed.CaseId, closed.Version, "被申请人拒不履行"));

        var visits = await Visits(host, closed.CaseId);
        Assert.All(visits, v => Assert.Equal((FollowUpStatus.Cancelled, "案件已重新调解: 被申请人拒不履行"), (v.Status, v.CancelReason)));
        Assert.DoesNotContain((await host.SendAs("cun01-1", new GetInbox())).Items, i => i.FollowUpId is not null);
        var refused = await Assert.ThrowsAsync<Domain.Cases.CaseInputException>(() => host.SendAs("cun01-1",
            new RecordFollowUp(closed.CaseId, closed.Version + 1, visits[0].Id, "电话", Satisfaction.Satisfied, Performance.Performed, null)));
        Assert.Equal("followUp", refused.Field);
    }

    [Fact]
    public async Task Resume_MovesTheDeadlineByExactlyTheTimeSuspended_AndBothAreOffered()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        var accepted = await host.SendAs("cun01-1", new AcceptCase(registered.CaseId, registered.Version));
        var deadline = accepted.DeadlineAt!.Value;
        Assert.Contains("suspend", (await host.SendAs("cun01-1", new GetCase(registered.CaseId))).AllowedActions);

        host.Clock.Advance(TimeSpan.FromHours(5).Add(TimeSpan.FromSeconds(13)));
        var suspended = await host.SendAs("cun01-1", new SuspendCase(accepted.CaseId, accepted.Version, "当事人外出务工联系不上"));
        var whileSuspended = await host.SendAs("cun01-1", new GetCase(registered.CaseId));
        Assert.Contains("resume", whileSuspended.AllowedActions);
        Assert.DoesNotContain("suspend", whileSuspended.AllowedActions);

        var away = TimeSpan.FromDays(2).Add(TimeSpan.FromMinutes(7));
        host.Clock.Advance(away);
        var resumed = await host.SendAs("cun01-1", new ResumeCase(suspended.CaseId, suspended.Version));

        Assert.Equal(deadline + away, resumed.DeadlineAt);
        var timer = await host.Query(db => db.CaseTimers.AsNoTracking().Where(t => t.CaseId == registered.CaseId && t.Kind == TimerKind.LevelDeadline).OrderBy(t => t.Id).LastAsync());
        Assert.Equal(deadline + away, timer.DueAt);
    }

    private static Task<List<FollowUpVisit>> Visits(MediationHost host, long caseId) =>
        host.Query(db => db.FollowUps.AsNoTracking().Where(f => f.CaseId == caseId).OrderBy(f => f.DueAt).ThenBy(f => f.Id).ToListAsync());
}
