using System.Data.Common;
using Mediation.Application.Features.Cases.GetCase;
using Mediation.Application.Features.Deadlines.FailedTimers;
using Mediation.Application.Pipeline;
using Mediation.Domain.Deadlines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Application.Tests;

public class TimerRetryTests
{
    [Fact]
    public async Task TimersThatCannotFire_FailAlone_WhileHealthyTimersInTheSameBatchFire()
    {
        await using var host = await MediationHost.StartAsync();
        var healthy = await host.SendAs("cun01-1", Disputes.Neighbour());
        var versionGone = await host.SendAs("cun01-1", Disputes.Neighbour("宅基地边界争议"));
        var badRows = await host.SendAs("cun01-1", Disputes.Neighbour("楼上漏水"));
        await Sql(host, $"UPDATE cases SET workflow_version = 99 WHERE id = {versionGone.CaseId}");
        await Sql(host, $"UPDATE case_timers SET kind = 'Bogus' WHERE case_id = {badRows.CaseId} AND kind = 'LevelDeadline'");
        await Sql(host, $"UPDATE case_timers SET kind = 'FollowUpDue', follow_up_id = 999999 WHERE case_id = {badRows.CaseId} AND kind = 'AcceptanceDeadline'");
        host.Clock.Advance(TimeSpan.FromDays(8));
        var now = host.Clock.GetUtcNow().UtcDateTime;

        await host.FireDueTimersAsync();

        Assert.Equal("station", (await host.SendAs("zhan1-1", new GetCase(healthy.CaseId))).Level);
        var gone = (await Timers(host, versionGone.CaseId)).Where(t => t.Kind is "LevelDeadline" or "AcceptanceDeadline").ToList();
        Assert.Equal(2, gone.Count);
        Assert.All(gone, t => Assert.Equal(("Pending", 1, now + TimerRetry.FirstDelay), (t.Status, t.Attempts, t.NextAttemptAt)));
        Assert.All(gone, t => Assert.StartsWith("KeyNotFoundException: Workflow 'mediation-1-9-n' version 99 is not loaded", t.LastError, StringComparison.Ordinal));
        var bad = await Timers(host, badRows.CaseId);
        Assert.StartsWith("InvalidOperationException: Cannot convert", Assert.Single(bad, t => t.Kind == "Bogus").LastError, StringComparison.Ordinal);
        Assert.StartsWith("InvalidOperationException: Sequence contains no elements", Assert.Single(bad, t => t.Kind == "FollowUpDue").LastError, StringComparison.Ordinal);
        Assert.Contains(bad, t => t.Kind == "ProgressNotice" && t.Status == "Applied");
    }

    [Fact]
    public async Task TimerThatKeepsFailing_BacksOffEachTime_ThenFails_LoggingOncePerAttempt()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        await Sql(host, $"UPDATE cases SET workflow_version = 99 WHERE id = {registered.CaseId}");
        host.Clock.Advance(TimeSpan.FromDays(8));

        await FailEveryAttempt(host);

        var timers = await Timers(host, registered.CaseId);
        Assert.All(timers, t => Assert.Equal(("Failed", TimerRetry.MaxAttempts), (t.Status, t.Attempts)));
        var level = Assert.Single(timers, t => t.Kind == "LevelDeadline");
        Assert.Equal(TimerRetry.MaxAttempts, host.LogLines.Count(l => l.Contains($"Timer {level.Id} failed attempt", StringComparison.Ordinal)));
        host.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await host.FireDueTimersAsync());
    }

    [Fact]
    public void Backoff_DoublesFromAMinute_UpToAnHour()
    {
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(1, 8).Select(a => TimerRetry.DelayAfter(a).TotalMinutes));
        var now = new DateTime(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc);
        Assert.Equal((3, TimerStatus.Pending, now.AddMinutes(4)), TimerRetry.AfterFailure(2, now));
        Assert.Equal((TimerRetry.MaxAttempts, TimerStatus.Failed, now), TimerRetry.AfterFailure(TimerRetry.MaxAttempts - 1, now));
    }

    [Fact]
    public async Task OnlyFailingTimersLeft_TheDispatcherSleepsInsteadOfSpinning()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        await Sql(host, $"UPDATE cases SET workflow_version = 99 WHERE id = {registered.CaseId}");
        host.Clock.Advance(TimeSpan.FromDays(8));

        var dispatcher = host.Services.GetRequiredService<Infrastructure.Deadlines.TimerDispatcher>();
        await dispatcher.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await dispatcher.StopAsync(CancellationToken.None);

        // One round tries the failing timers once; the next attempt is a minute away, so it sleeps (5 s at most) rather than asking again.
        var rounds = host.LogLines.Count(l => l.Contains("FireDueTimers case", StringComparison.Ordinal));
        Assert.InRange(rounds, 1, 2);
        Assert.All(await Timers(host, registered.CaseId), t => Assert.Equal(1, t.Attempts));
    }

    [Fact]
    public async Task FailedTimer_RetriedByAnAdministrator_FiresOnceTheCauseIsFixed_AndTheRetryIsRecorded()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        await Sql(host, $"UPDATE cases SET workflow_version = 99 WHERE id = {registered.CaseId}");
        host.Clock.Advance(TimeSpan.FromDays(8));
        await FailEveryAttempt(host);

        var failed = await host.SendAs("admin", new ListFailedTimers());
        var level = Assert.Single(failed, t => t.Kind == TimerKind.LevelDeadline);
        Assert.Equal((registered.CaseNumber, TimerRetry.MaxAttempts), (level.CaseNumber, level.Attempts));
        await Assert.ThrowsAsync<AccessDeniedException>(() => host.SendAs("zhongxin1", new RetryTimer(level.TimerId)));

        await Sql(host, $"UPDATE cases SET workflow_version = 1 WHERE id = {registered.CaseId}");
        var retried = await host.SendAs("admin", new RetryTimer(level.TimerId));
        Assert.Equal(TimerStatus.Pending, retried.Status);
        await host.FireDueTimersAsync();

        Assert.Equal("station", (await host.SendAs("zhan1-1", new GetCase(registered.CaseId))).Level);
        Assert.DoesNotContain(await host.SendAs("admin", new ListFailedTimers()), t => t.TimerId == level.TimerId);
        var recorded = await host.Query(db => db.TimerEvents.AsNoTracking().SingleAsync());
        Assert.Equal((level.TimerId, registered.CaseId, TimerEvent.Actions.Retry, TimerRetry.MaxAttempts, "administrator"),
            (recorded.TimerId, recorded.CaseId, recorded.Action, recorded.AttemptsBefore, recorded.ActorRole));
        Assert.Contains("version 99", recorded.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedTimer_CancelledByAnAdministrator_NeverFires_AndTheCancelIsRecorded()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        await Sql(host, $"UPDATE cases SET workflow_version = 99 WHERE id = {registered.CaseId}");
        host.Clock.Advance(TimeSpan.FromDays(8));
        await FailEveryAttempt(host);
        var level = Assert.Single(await host.SendAs("admin", new ListFailedTimers()), t => t.Kind == TimerKind.LevelDeadline);

        var cancelled = await host.SendAs("admin", new CancelTimer(level.TimerId));
        await Sql(host, $"UPDATE cases SET workflow_version = 1 WHERE id = {registered.CaseId}");
        await host.FireDueTimersAsync();

        Assert.Equal(TimerStatus.Cancelled, cancelled.Status);
        Assert.Equal("village", (await host.SendAs("cun01-1", new GetCase(registered.CaseId))).Level);
        await Assert.ThrowsAsync<TimerRuleException>(() => host.SendAs("admin", new RetryTimer(level.TimerId)));
        var recorded = await host.Query(db => db.TimerEvents.AsNoTracking().SingleAsync());
        Assert.Equal((TimerEvent.Actions.Cancel, "administrator"), (recorded.Action, recorded.ActorRole));
        var rewrite = await Assert.ThrowsAnyAsync<DbException>(() => Sql(host, "UPDATE timer_events SET actor_name = '某人'"));
        Assert.Contains("timer events are immutable", rewrite.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedTimerRetriedBeforeItsDueTime_WaitsForIt_InsteadOfBeingAskedForAgainAndAgain()
    {
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        await Sql(host, $"UPDATE case_timers SET status = 'Failed', attempts = 8 WHERE case_id = {registered.CaseId} AND kind = 'AcceptanceDeadline'");
        var failed = Assert.Single(await host.SendAs("admin", new ListFailedTimers()));

        await host.SendAs("admin", new RetryTimer(failed.TimerId));

        Assert.Equal(0, await host.FireDueTimersAsync());
        var timer = Assert.Single(await Timers(host, registered.CaseId), t => t.Id == failed.TimerId);
        Assert.Equal(("Pending", failed.DueAt), (timer.Status, timer.NextAttemptAt));
    }

    /// <summary>Lets every attempt of the due timers fail, moving the clock past each backoff; checks nothing fires in between.</summary>
    private static async Task FailEveryAttempt(MediationHost host)
    {
        for (var attempt = 1; attempt <= TimerRetry.MaxAttempts; attempt++)
        {
            Assert.True(await host.FireDueTimersAsync() > 0, $"attempt {attempt} was not made");
            Assert.Equal(0, await host.FireDueTimersAsync());
            host.Clock.Advance(TimerRetry.DelayAfter(attempt));
        }
    }

    internal static Task Sql(MediationHost host, string sql) => host.ExecuteSqlAsync(sql);

    internal sealed record TimerRow(long Id, string Kind, string Status, int Attempts, string? LastError, DateTime NextAttemptAt);

    // Read raw: a timer with a kind that no longer parses cannot be read through the model.
    internal static async Task<List<TimerRow>> Timers(MediationHost host, long caseId)
    {
        await using var connection = await host.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, kind, status, attempts, last_error, next_attempt_at FROM case_timers WHERE case_id = {caseId} ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<TimerRow>();
        while (await reader.ReadAsync())
            rows.Add(new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetDateTime(5)));
        return rows;
    }
}
