using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Org;
using Mediation.Application.Features.Supervision.ListDigests;
using Mediation.Application.Pipeline;
using Mediation.Domain.Supervision;
using Mediation.Domain.Deadlines;
using Mediation.Infrastructure;
using Mediation.Infrastructure.Deadlines;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Mediation.Application.Tests;

/// <summary>
/// Two nodes of the product on one PostgreSQL database, each with its own services, pool and (pass-through) write gate:
/// only the database's locks stand between them. PostgreSQL only: SQLite takes one writer at a time by design.
/// </summary>
public class SeveralNodesOnPostgresTests
{
    [Fact]
    public async Task TwoNodesFiringHundredsOfDueTimersAtOnce_ShareThem_EachAppliedOnce_NoFailedAttempts()
    {
        await using var host = await MediationHost.StartAsync(provider: DatabaseProvider.Postgres);
        // Village points under three stations, so the batches of both nodes move the same tally cells.
        string[] mediators = ["cun01-1", "cun06-1", "cun10-1", "cun02-1"];
        var cases = new List<long>();
        for (var i = 0; i < 120; i++)
            cases.Add((await host.SendAs(mediators[i % mediators.Length], Disputes.Neighbour($"邻里纠纷 {i}"))).CaseId);
        host.Clock.Advance(TimeSpan.FromDays(8));
        var now = host.Clock.GetUtcNow().UtcDateTime;
        var due = await host.Query(db => db.CaseTimers.CountAsync(t => t.Status == TimerStatus.Pending && t.DueAt <= now));
        Assert.True(due >= 200, $"only {due} timers due");
        await using var other = host.StartAnotherNode();
        var nodes = new[] { host.Services, other }.Select(n => n.GetRequiredService<TimerDispatcher>()).ToArray();
        foreach (var node in new[] { host.Services, other })
            await Warm(node);

        // Both nodes see the same due timers and go for them together, each until nothing due is left, as the dispatcher does.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firing = nodes.Select(node => Task.Run(async () =>
        {
            await start.Task;
            var takenUp = 0;
            for (var round = 0; round < 20 && await host.Query(db => db.CaseTimers.AnyAsync(t => t.Status == TimerStatus.Pending && t.NextAttemptAt <= now)); round++)
                takenUp += await node.FireDueAsync(500, CancellationToken.None);
            return takenUp;
        })).ToArray();
        start.SetResult();
        var takenUpByNode = await Task.WhenAll(firing);

        var warnings = host.LogLines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal)).Distinct().Take(3).ToList();
        Assert.True(warnings.Count == 0, string.Join(Environment.NewLine, warnings));
        Assert.Equal(due, takenUpByNode.Sum());
        Assert.All(takenUpByNode, n => Assert.True(n > 0, $"one node fired nothing: {string.Join(" + ", takenUpByNode)}"));
        var fired = await host.Query(db => db.CaseTimers.AsNoTracking().Where(t => t.DueAt <= now).ToListAsync());
        Assert.Equal(due, fired.Count);
        Assert.Empty(fired.Where(t => t.Status is not (TimerStatus.Applied or TimerStatus.Skipped) || t.Attempts != 0).Select(t => $"{t.Id} {t.Status} {t.Attempts}: {t.LastError}").Distinct().Take(5));
        foreach (var id in cases)
        {
            Assert.Equal(1, await host.Query(db => db.CaseEvents.CountAsync(e => e.CaseId == id && e.Action == "escalateOnExpiry")));
            Assert.Equal(1, await host.Query(db => db.Notices.CountAsync(n => n.CaseId == id && n.Kind == "progressNoticeDue")));
        }

        // The tallies moved with the cases: every escalated case counted once at its station, none left in the village.
        var tallied = await host.Query(db => db.CaseTallies.AsNoTracking().Where(t => t.Count != 0).ToListAsync());
        Assert.Equal(cases.Count, tallied.Where(t => t.Level == "station").Sum(t => t.Count));
        Assert.Equal(0, tallied.Where(t => t.Level == "village").Sum(t => t.Count));
    }

    [Fact]
    public async Task TwoClusteredSchedulersStartedTogether_EachWithItsOwnId_MakeEachDigestOncePerPeriod()
    {
        await using var host = await MediationHost.StartAsync(recurringWork: true, provider: DatabaseProvider.Postgres);
        await host.SendAs("cun01-1", Disputes.Neighbour());
        host.SetChinaTime(2026, 3, 9, 7);
        host.Clock.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(58));
        await using var other = host.StartAnotherNode();

        // Both nodes build and start their schedulers at once on a database without Quartz's tables yet.
        var schedulers = await Task.WhenAll(new[] { host.Services, other }.Select(node => Task.Run(async () =>
        {
            var scheduler = await node.GetRequiredService<ISchedulerFactory>().GetScheduler();
            await scheduler.Start();
            return scheduler;
        })));
        try
        {
            Assert.NotEqual(schedulers[0].SchedulerInstanceId, schedulers[1].SchedulerInstanceId);
            host.Clock.Advance(TimeSpan.FromSeconds(4));
            await WaitForDigestsAsync(host, DigestKind.WeeklyScreening, 1);
            host.SetChinaTime(2026, 3, 16, 7);
            host.Clock.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(58));
            await Task.Delay(TimeSpan.FromSeconds(1));
            host.Clock.Advance(TimeSpan.FromSeconds(4));
            await WaitForDigestsAsync(host, DigestKind.WeeklyScreening, 2);
            // Time for a second node's duplicate firing to show, were there one.
            await Task.Delay(TimeSpan.FromSeconds(3));

            var weekly = await host.SendAs("zhuren", new ListDigests(DigestKind.WeeklyScreening));
            Assert.Equal([new DateOnly(2026, 3, 9), new DateOnly(2026, 3, 16)], weekly.Select(d => d.PeriodStart).Order());
            var digests = await host.Query(db => db.Digests.CountAsync());
            var generated = host.LogLines.Count(l => l.Contains("GenerateDigest case", StringComparison.Ordinal) && l.Contains("done in", StringComparison.Ordinal));
            Assert.True(digests == generated, string.Join(Environment.NewLine, host.LogLines.Where(l => l.Contains("GenerateDigest", StringComparison.Ordinal) || (l.Contains("Quartz", StringComparison.Ordinal) && !l.StartsWith("Debug", StringComparison.Ordinal) && !l.StartsWith("Trace", StringComparison.Ordinal))).Select(l => l[..Math.Min(300, l.Length)])));

            var checkedIn = await host.Query(db => db.Database.SqlQueryRaw<string>("SELECT instance_name AS \"Value\" FROM qrtz_scheduler_state").ToListAsync());
            Assert.Equal(schedulers.Select(s => s.SchedulerInstanceId).Order(), checkedIn.Order());
        }
        finally
        {
            await Task.WhenAll(schedulers.Select(s => s.Shutdown(waitForJobsToComplete: true).AsTask()));
        }
    }

    private static async Task WaitForDigestsAsync(MediationHost host, DigestKind kind, int count)
    {
        for (var waited = 0; waited < 300; waited++)
        {
            if ((await host.SendAs("zhuren", new ListDigests(kind))).Count >= count)
                return;
            await Task.Delay(100);
        }
        Assert.Fail($"{count} {kind} digests were not made within 30 s");
    }

    [Fact]
    public async Task OnPostgres_AWriteHeldOpenOnOneCase_DoesNotHoldUpAWriteOnAnother_TheGateIsSQLitesAlone()
    {
        await using var host = await MediationHost.StartAsync(provider: DatabaseProvider.Postgres);
        var first = await host.SendAs("cun01-1", Disputes.Neighbour("第一起"));
        Assert.False(host.Services.GetRequiredService<WriteGate>().SerializesWrites);

        // Another node's transaction has written case 1 and not committed; on SQLite every writer would queue behind it.
        await using var other = host.StartAnotherNode();
        await using var scope = other.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.MediationDbContext>();
        await using var open = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlInterpolatedAsync($"UPDATE cases SET updated_at = updated_at WHERE id = {first.CaseId}");
        // And this node's own gate is held, as by a write in flight: on SQLite the next command would wait, then be refused.
        using var held = await host.Services.GetRequiredService<WriteGate>().EnterAsync(default);

        var second = await host.SendAs("cun01-1", Disputes.Neighbour("第二起")).WaitAsync(TimeSpan.FromSeconds(10));
        var accepted = await host.SendAs("cun01-1", new Features.Cases.AcceptCase.AcceptCase(second.CaseId, second.Version)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("accepted", accepted.State);
        await open.RollbackAsync();
    }

    [Fact]
    public async Task TheSameIdempotencyKeySentToTwoNodesAtOnce_GivesOneCase_AndTheSameAnswerOnBoth()
    {
        await using var host = await MediationHost.StartAsync(provider: DatabaseProvider.Postgres);
        await using var other = host.StartAnotherNode();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // A retry whose first try is still in flight reaches the other node; neither waits for the other to begin.
            var key = $"form-retry-{attempt}";
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sends = new[] { host.Services, other }.Select(node => Task.Run(async () =>
            {
                await go.Task;
                return await SendAs(node, "cun01-1", Disputes.Neighbour($"同一张登记表 {attempt}", key: key));
            })).ToArray();
            go.SetResult();
            var answers = await Task.WhenAll(sends);

            Assert.Equal(answers[0], answers[1]);
            Assert.Equal(1, await host.Query(db => db.Cases.CountAsync(c => c.Summary == $"同一张登记表 {attempt}")));
            Assert.Equal(1, await host.Query(db => db.IdempotencyRecords.CountAsync(r => r.Key == key)));
        }
    }

    // A node's first command pays for its pool and compiled queries; the race starts after that.
    private static async Task Warm(IServiceProvider node)
    {
        await using var scope = node.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(Domain.Org.Actor.SystemAt(0, "/"));
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new Features.Deadlines.FireTimer.FireDueTimers([]));
    }

    private static async Task<CaseChanged> SendAs(IServiceProvider node, string userName, IRequest<CaseChanged> request)
    {
        await using var scope = node.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.MediationDbContext>();
        var actor = await StaffDirectory.FindActorAsync(db, userName) ?? throw new InvalidOperationException($"No demo account '{userName}'.");
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(actor);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }
}
