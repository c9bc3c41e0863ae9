using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.CloseCase;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Cases.ResolveCase;
using Mediation.Application.Features.Deadlines.FireTimer;
using Mediation.Application.Features.Deadlines.ResumeCase;
using Mediation.Application.Features.Deadlines.SuspendCase;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Application.Features.FollowUps.RecordFollowUp;
using Mediation.Application.Features.Reminders.GetInbox;
using Mediation.Domain.Deadlines;
using Mediation.Domain.FollowUps;
using Mediation.Domain.Org;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Application.Tests;

public class DurableTimeTests
{
    [Fact]
    public async Task VillageCasePastItsLimit_EscalatesToItsStation_Once()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        await host.SendAs("cun01-1", new AcceptCase(registered.CaseId, registered.Version));

        host.Clock.Advance(TimeSpan.FromDays(6));
        await host.FireDueTimersAsync();
        Assert.Equal("village", (await host.SendAs("cun01-1", new GetCase(registered.CaseId))).Level);

        host.Clock.Advance(TimeSpan.FromDays(2));
        await host.FireDueTimersAsync();
        await host.FireDueTimersAsync();

        var atStation = await host.SendAs("zhan1-1", new GetCase(registered.CaseId));
        Assert.Equal(("pending", "station"), (atStation.State, atStation.Level));
        var expiry = Assert.Single(atStation.Timeline, e => e.Action == "escalateOnExpiry");
        Assert.Equal(("system", "accepted", "village"), (expiry.ActorRole, expiry.FromState, expiry.FromLevel));
        var inbox = await host.SendAs("zhan1-1", new GetInbox());
        Assert.Contains(inbox.Items, i => i.NoticeKind == "escalatedOnExpiry" && i.CaseId == registered.CaseId);
    }

    [Fact]
    public async Task CenterCasePastItsLimit_IsFlaggedAndItsOwnerReminded_WithoutMoving()
    {
        await using var host = await MediationHost.StartAsync();
        var major = await host.SendAs("zhongxin1", Disputes.CollectiveWageArrears());
        var accepted = await host.SendAs("zhongxin1", new AcceptCase(major.CaseId, major.Version));

        host.Clock.Advance(TimeSpan.FromDays(31));
        await host.FireDueTimersAsync();

        var details = await host.SendAs("zhongxin1", new GetCase(major.CaseId));
        Assert.Equal(("accepted", "center", accepted.Version), (details.State, details.Level, details.Version));
        Assert.True(details.IsOverdue);
        var inbox = await host.SendAs("zhongxin1", new GetInbox());
        Assert.Equal(InboxItemKind.CaseOverdue, inbox.Items[0].Kind);
        Assert.Contains(inbox.Items, i => i.NoticeKind == "timeLimitPassed");
    }

    [Fact]
    public async Task AHoliday_PushesADeadline_ToTheNextWorkingDay()
    {
        await using var host = await MediationHost.StartAsync();
        host.SetChinaTime(2026, 9, 28);

        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());

        // Seven calendar days from Monday 09-28 is 10-05, inside the National Day holiday; the limit runs to the end of Thursday 10-08.
        Assert.Equal(new DateTime(2026, 10, 8, 16, 0, 0, DateTimeKind.Utc), registered.DeadlineAt);
    }

    [Fact]
    public async Task ClosingASettledCase_CreatesItsFollowUps_OnWorkingDays()
    {
        await using var host = await MediationHost.StartAsync();
        host.SetChinaTime(2026, 9, 23);
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var resolved = await host.SendAs("cun01-1", new ResolveCase(mediating.CaseId, mediating.Version, "分两期付清", true, [new DateOnly(2026, 10, 10), new DateOnly(2026, 11, 1)]));
        host.SetChinaTime(2026, 9, 24);
        await host.SendAs("cun01-1", new CloseCase(resolved.CaseId, resolved.Version, "电话", "已告知"));

        var visits = await host.Query(db => db.FollowUps.AsNoTracking().Where(f => f.CaseId == resolved.CaseId).OrderBy(f => f.DueOn).ToListAsync());
        // +7 days is 10-01 (holiday) → 10-08; agreement due 10-10 is a make-up working Saturday; +30 is Saturday 10-24 → 10-26;
        // 11-01 is a Sunday → 11-02.
        Assert.Equal(
            [new DateOnly(2026, 10, 8), new DateOnly(2026, 10, 10), new DateOnly(2026, 10, 26), new DateOnly(2026, 11, 2)],
            visits.Select(v => v.DueOn));
        Assert.All(visits, v => Assert.Equal(Mediation.Workflows.Time.WorkingDayCalendar.StartOfChinaDay(v.DueOn), v.DueAt));
        var timers = await host.Query(db => db.CaseTimers.AsNoTracking().Where(t => t.CaseId == resolved.CaseId && t.FollowUpId != null).ToListAsync());
        Assert.Equal(8, timers.Count);
    }

    [Fact]
    public async Task Suspension_StopsTheClock_AndResumingMovesTheDeadlineOn()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        var accepted = await host.SendAs("cun01-1", new AcceptCase(registered.CaseId, registered.Version));
        host.Clock.Advance(TimeSpan.FromDays(2));
        var suspended = await host.SendAs("cun01-1", new SuspendCase(accepted.CaseId, accepted.Version, "当事人外出务工联系不上"));
        Assert.Null(suspended.DeadlineAt);

        host.Clock.Advance(TimeSpan.FromDays(20));
        await host.FireDueTimersAsync();
        Assert.Equal("village", (await host.SendAs("cun01-1", new GetCase(registered.CaseId))).Level);
        var skipped = await host.Query(db => db.CaseTimers.AsNoTracking().SingleAsync(t => t.CaseId == registered.CaseId && t.Kind == TimerKind.LevelDeadline));
        Assert.Equal(TimerStatus.Skipped, skipped.Status);

        var resumed = await host.SendAs("cun01-1", new ResumeCase(suspended.CaseId, suspended.Version));
        Assert.True(resumed.DeadlineAt > host.Clock.GetUtcNow().UtcDateTime.AddDays(4));
        host.Clock.Advance(TimeSpan.FromDays(8));
        await host.FireDueTimersAsync();
        Assert.Equal("station", (await host.SendAs("zhan1-1", new GetCase(registered.CaseId))).Level);
    }

    [Fact]
    public async Task HostStoppedWithoutShutdown_FiresTheMissedTimersOnceWhenStartedAgain()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        host.Clock.Advance(TimeSpan.FromDays(40));

        await host.RestartAsync();
        await host.FireDueTimersAsync();
        await host.FireDueTimersAsync();

        var details = await host.SendAs("zhan1-1", new GetCase(registered.CaseId));
        Assert.Single(details.Timeline, e => e.Action == "escalateOnExpiry");
        Assert.Equal("station", details.Level);

        // Forty days down missed five weekly progress reminders; the misfire policy sends one.
        var progress = await host.Query(db => db.Notices.AsNoTracking().CountAsync(n => n.CaseId == registered.CaseId && n.Kind == "progressNoticeDue"));
        Assert.Equal(1, progress);
        Assert.Equal(0, await host.Query(db => db.CaseTimers.CountAsync(t => t.Status == TimerStatus.Pending && t.DueAt <= host.Clock.GetUtcNow().UtcDateTime)));
    }

    [Fact]
    public async Task TimerForACaseThatMovedOn_DoesNothingButRecordTheSkip()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        var accepted = await host.SendAs("cun01-1", new AcceptCase(registered.CaseId, registered.Version));
        await host.SendAs("cun01-1", new EscalateCase(accepted.CaseId, accepted.Version, "涉及多户"));
        var stationAccepted = await host.SendAs("zhan1-1", new AcceptCase(accepted.CaseId, accepted.Version + 1));

        host.Clock.Advance(TimeSpan.FromDays(8));
        await host.FireDueTimersAsync();

        var villageTimer = await host.Query(db => db.CaseTimers.AsNoTracking().SingleAsync(t => t.CaseId == registered.CaseId && t.Kind == TimerKind.LevelDeadline && t.Level == "village"));
        Assert.Equal(TimerStatus.Skipped, villageTimer.Status);
        Assert.Contains("moved on", villageTimer.Note, StringComparison.Ordinal);
        var details = await host.SendAs("zhan1-1", new GetCase(registered.CaseId));
        Assert.Equal(("accepted", "station", stationAccepted.Version), (details.State, details.Level, details.Version));
    }

    [Fact]
    public async Task TimerDeliveredTwice_AppliesOnce()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        host.Clock.Advance(TimeSpan.FromDays(8));
        var timerId = await host.Query(db => db.CaseTimers.Where(t => t.CaseId == registered.CaseId && t.Kind == TimerKind.LevelDeadline).Select(t => t.Id).SingleAsync());

        // Delivered by two nodes at once, each with its own write gate: only the database stands between them.
        await using var other = host.StartAnotherNode();
        var outcomes = await Task.WhenAll(
            Task.Run(() => Deliver(host.Services, timerId)),
            Task.Run(() => Deliver(other, timerId)));

        Assert.Single(outcomes, o => o.Note.StartsWith("escalated", StringComparison.Ordinal));
        var events = await host.Query(db => db.CaseEvents.CountAsync(e => e.CaseId == registered.CaseId && e.Action == "escalateOnExpiry"));
        Assert.Equal(1, events);
    }

    private static async Task<TimerOutcome> Deliver(IServiceProvider node, long timerId)
    {
        await using var scope = node.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Mediation.Application.Pipeline.ActorContext>().Use(Actor.SystemAt(0, "/"));
        return await scope.ServiceProvider.GetRequiredService<MediatR.IMediator>().Send(new FireTimer(timerId));
    }

    [Fact]
    public async Task TwoNodesOnOneFile_FiringTheSameDueTimersAtOnce_ApplyEachTimerOnce()
    {
        // SQLite's file lock; PostgreSQL's claim is SeveralNodesOnPostgresTests' first test.
        await using var host = await MediationHost.StartAsync(provider: Mediation.Infrastructure.DatabaseProvider.Sqlite);
        var cases = new List<long>();
        for (var i = 0; i < 4; i++)
            cases.Add((await host.SendAs("cun01-1", Disputes.Neighbour($"邻里纠纷 {i}"))).CaseId);
        host.Clock.Advance(TimeSpan.FromDays(8));
        var now = host.Clock.GetUtcNow().UtcDateTime;
        var due = await host.Query(db => db.CaseTimers.CountAsync(t => t.Status == TimerStatus.Pending && t.DueAt <= now));
        await using var other = host.StartAnotherNode();
        var nodes = new[] { host.Services, other }.Select(n => n.GetRequiredService<Mediation.Infrastructure.Deadlines.TimerDispatcher>()).ToArray();

        // A third connection holds the write lock while both nodes take up the same due timers and queue for it;
        // each node has its own write gate, so only SQLite's lock stands between them when it is let go.
        int[] takenUp;
        await using (var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={host.DatabaseFile};Pooling=False"))
        {
            await holder.OpenAsync();
            await using var hold = holder.BeginTransaction(deferred: false);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var firing = nodes.Select(n => Task.Run(async () => { await start.Task; return await n.FireDueAsync(10_000, CancellationToken.None); })).ToArray();
            start.SetResult();
            await Task.Delay(TimeSpan.FromSeconds(1));
            await hold.CommitAsync();
            takenUp = await Task.WhenAll(firing);
        }

        Assert.Equal([due, due], takenUp);
        foreach (var id in cases)
        {
            Assert.Equal(1, await host.Query(db => db.CaseEvents.CountAsync(e => e.CaseId == id && e.Action == "escalateOnExpiry")));
            Assert.Equal(1, await host.Query(db => db.Notices.CountAsync(n => n.CaseId == id && n.Kind == "progressNoticeDue")));
        }
        var fired = await host.Query(db => db.CaseTimers.AsNoTracking().Where(t => t.DueAt <= now).ToListAsync());
        Assert.Equal(due, fired.Count);
        Assert.All(fired, t => Assert.Equal((true, 0), (t.Status is TimerStatus.Applied or TimerStatus.Skipped, t.Attempts)));
    }

    [Fact]
    public async Task TimersNeverFireEarly()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        var deadline = registered.DeadlineAt!.Value;
        host.Clock.Advance(deadline - host.Clock.GetUtcNow().UtcDateTime - TimeSpan.FromSeconds(1));

        await host.FireDueTimersAsync();
        Assert.Equal("village", (await host.SendAs("cun01-1", new GetCase(registered.CaseId))).Level);

        host.Clock.Advance(TimeSpan.FromSeconds(1));
        await host.FireDueTimersAsync();
        Assert.Equal("station", (await host.SendAs("zhan1-1", new GetCase(registered.CaseId))).Level);
    }

    [Fact]
    public async Task OverdueFollowUp_RemindsItsOwner_ThenReachesTheSupervisorsInbox()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var resolved = await host.SendAs("cun01-1", new ResolveCase(mediating.CaseId, mediating.Version, "补偿", true, []));
        await host.SendAs("cun01-1", new CloseCase(resolved.CaseId, resolved.Version, "电话", "已告知"));

        // Closed Monday 03-02; the 7-day visit falls on Monday 03-09.
        host.SetChinaTime(2026, 3, 9, 8);
        await host.FireDueTimersAsync();
        var owner = await host.SendAs("cun01-1", new GetInbox());
        Assert.Equal(InboxItemKind.FollowUpDue, owner.Items[0].Kind);
        Assert.DoesNotContain((await host.SendAs("zhan1-1", new GetInbox())).Items, i => i.NoticeKind == "followUpOverdue");

        // Three working days of grace after the visit day, the station supervises it.
        host.SetChinaTime(2026, 3, 13, 9);
        await host.FireDueTimersAsync();
        Assert.Equal(InboxItemKind.FollowUpOverdue, (await host.SendAs("cun01-1", new GetInbox())).Items[0].Kind);
        var supervisor = await host.SendAs("zhan1-1", new GetInbox());
        var item = Assert.Single(supervisor.Items, i => i.NoticeKind == "followUpOverdue");
        Assert.Equal(resolved.CaseId, item.CaseId);
    }

    [Fact]
    public async Task UnsatisfiedFollowUp_ReopensTheMatter()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var resolved = await host.SendAs("cun01-1", new ResolveCase(mediating.CaseId, mediating.Version, "补偿", true, []));
        var closed = await host.SendAs("cun01-1", new CloseCase(resolved.CaseId, resolved.Version, "电话", "已告知"));
        host.SetChinaTime(2026, 3, 9, 11);
        var visit = await host.Query(db => db.FollowUps.AsNoTracking().Where(f => f.CaseId == closed.CaseId).OrderBy(f => f.DueAt).FirstAsync());

        var reopened = await host.SendAs("cun01-1", new RecordFollowUp(closed.CaseId, closed.Version, visit.Id, "上门", Satisfaction.Unsatisfied, Performance.NotPerformed, "补偿款未到位"));

        Assert.Equal(("mediating", null), (reopened.State, reopened.Outcome));
        var details = await host.SendAs("cun01-1", new GetCase(closed.CaseId));
        Assert.Equal(["recordFollowUp", "reopen"], details.Timeline.TakeLast(2).Select(e => e.Action));
        var recorded = await host.Query(db => db.FollowUps.AsNoTracking().SingleAsync(f => f.Id == visit.Id));
        Assert.Equal((FollowUpStatus.Done, Satisfaction.Unsatisfied), (recorded.Status, recorded.Satisfaction));
    }

    [Fact]
    public async Task CaseNotAcceptedInTime_RemindsTheUnitAndTheUnitAbove()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());

        // Two working days from Monday 03-02: through Wednesday 03-04.
        host.SetChinaTime(2026, 3, 5, 9);
        await host.FireDueTimersAsync();

        Assert.Contains((await host.SendAs("cun01-2", new GetInbox())).Items, i => i.NoticeKind == "acceptanceOverdue" && i.CaseId == registered.CaseId);
        Assert.Contains((await host.SendAs("zhan1-1", new GetInbox())).Items, i => i.NoticeKind == "acceptanceOverdue" && i.CaseId == registered.CaseId);
    }
}
