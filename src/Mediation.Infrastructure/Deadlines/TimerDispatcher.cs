using Mediation.Application.Features.Deadlines.FireTimer;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Deadlines;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mediation.Infrastructure.Deadlines;

/// <summary>
/// Wakes due timers. The timer table is the truth; this only asks it, sleeping until the earliest pending timer
/// is due (at most <see cref="LongestSleep"/>, so timers written meanwhile are seen soon), then sends FireTimer
/// for each due one, oldest first. On start-up it first fires whatever came due while the server was down, once.
/// Two nodes may both pick a timer; the batch's claim (FOR UPDATE SKIP LOCKED on PostgreSQL) gives it to one, and the
/// other moves on to timers nobody holds. A timer that cannot fire waits out its backoff (its next attempt time), so
/// only failing timers left means the dispatcher sleeps.
/// </summary>
public sealed class TimerDispatcher(IServiceScopeFactory scopes, TimeProvider clock, ILogger<TimerDispatcher> logger) : BackgroundService
{
    public static readonly TimeSpan LongestSleep = TimeSpan.FromSeconds(5);
    private const int Batch = 500;

    // Timers fired per transaction: a burst costs one commit per hundred, not one per timer.
    private const int PerTransaction = 100;

    // Due timers all held by another node's batches: look again soon, not in a hot loop while they commit.
    private static readonly TimeSpan OthersBusyPause = TimeSpan.FromMilliseconds(50);

    private bool _stalled;
    private int _selected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var fired = await FireDueAsync(Batch, stoppingToken);
                if (_stalled)
                {
                    // Even recording the failures failed (the database refuses writes): pause rather than spin.
                    await Task.Delay(LongestSleep, clock, stoppingToken);
                    continue;
                }
                if (_selected == Batch && fired > 0)
                    continue;
                if (_selected > 0 && fired == 0)
                {
                    await Task.Delay(OthersBusyPause, clock, stoppingToken);
                    continue;
                }
                var next = await NextDueAsync(stoppingToken);
                var sleep = next is { } due ? due - clock.GetUtcNow().UtcDateTime : LongestSleep;
                sleep = sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep > LongestSleep ? LongestSleep : sleep;
                await Task.Delay(sleep, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
            {
                // A database hiccup must not stop the clock: log, pause, ask again.
                logger.LogError(ex, "Timer dispatch failed; retrying");
                await Task.Delay(LongestSleep, clock, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Fires every timer due by now (up to <paramref name="max"/>); answers how many this node took up, leaving out
    /// those another node's batches held.
    /// </summary>
    public async Task<int> FireDueAsync(int max, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<long> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
            due = await db.CaseTimers.AsNoTracking()
                .Where(t => t.Status == TimerStatus.Pending && t.NextAttemptAt <= now)
                .OrderBy(t => t.NextAttemptAt).Select(t => t.Id).Take(max)
                .ToListAsync(cancellationToken);
        }
        _stalled = false;
        _selected = due.Count;
        var takenUp = 0;
        foreach (var chunk in due.Chunk(PerTransaction))
        {
            try
            {
                takenUp += TakenUp(await SendAsync(new FireDueTimers(chunk), cancellationToken));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A batch that cannot commit as a whole: fire its timers one by one, so one bad timer costs only itself.
                logger.LogWarning("A batch of {Count} timers could not commit ({Error}); firing them one by one", chunk.Length, ex.GetType().Name);
                foreach (var id in chunk)
                    takenUp += await FireAloneAsync(id, cancellationToken);
            }
        }
        return takenUp;
    }

    private static int TakenUp(IReadOnlyList<TimerOutcome> outcomes) => outcomes.Count(o => !o.ClaimedElsewhere);

    private async Task<int> FireAloneAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            return TakenUp(await SendAsync(new FireDueTimers([id]), cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            try
            {
                await SendAsync(new RecordTimerFailure(id, TimerRetry.Describe(ex)), cancellationToken);
                return 1;
            }
            catch (Exception recordError) when (recordError is not OperationCanceledException)
            {
                logger.LogError(recordError, "Timer {TimerId} failed and its attempt could not be recorded", id);
                _stalled = true;
                return 0;
            }
        }
    }

    private async Task<T> SendAsync<T>(MediatR.IRequest<T> request, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(Actor.SystemAt(0, "/"));
        var response = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, cancellationToken);
        if (response is IReadOnlyList<TimerOutcome> outcomes && logger.IsEnabled(LogLevel.Debug))
        {
            foreach (var outcome in outcomes)
                logger.LogDebug("Timer {TimerId}: {Status} ({Note})", outcome.TimerId, outcome.Status, outcome.Note);
        }
        return response;
    }

    private async Task<DateTime?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        return await db.CaseTimers.AsNoTracking()
            .Where(t => t.Status == TimerStatus.Pending)
            .OrderBy(t => t.NextAttemptAt).Select(t => (DateTime?)t.NextAttemptAt)
            .FirstOrDefaultAsync(cancellationToken);
    }
}
