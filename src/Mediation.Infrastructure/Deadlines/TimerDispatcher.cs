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
/// Two nodes may both pick a timer; FireTimer's claim lets only one apply it.
/// </summary>
public sealed class TimerDispatcher(IServiceScopeFactory scopes, TimeProvider clock, ILogger<TimerDispatcher> logger) : BackgroundService
{
    public static readonly TimeSpan LongestSleep = TimeSpan.FromSeconds(5);
    private const int Batch = 500;

    // Timers fired per transaction: a burst costs one commit per hundred, not one per timer.
    private const int PerTransaction = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await FireDueAsync(Batch, stoppingToken) == Batch)
                    continue;
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

    /// <summary>Fires every timer due by now (up to <paramref name="max"/>); answers how many it took up.</summary>
    public async Task<int> FireDueAsync(int max, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        List<long> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
            due = await db.CaseTimers.AsNoTracking()
                .Where(t => t.Status == TimerStatus.Pending && t.DueAt <= now)
                .OrderBy(t => t.DueAt).Select(t => t.Id).Take(max)
                .ToListAsync(cancellationToken);
        }
        foreach (var chunk in due.Chunk(PerTransaction))
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ActorContext>().Use(Actor.SystemAt(0, "/"));
            try
            {
                var outcomes = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new FireDueTimers(chunk), cancellationToken);
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    foreach (var outcome in outcomes)
                        logger.LogDebug("Timer {TimerId}: {Status} ({Note})", outcome.TimerId, outcome.Status, outcome.Note);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A batch that cannot commit must not stop the clock; its timers stay pending for the next round.
                logger.LogError(ex, "A batch of {Count} timers failed", chunk.Length);
            }
        }
        return due.Count;
    }

    private async Task<DateTime?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        return await db.CaseTimers.AsNoTracking()
            .Where(t => t.Status == TimerStatus.Pending)
            .OrderBy(t => t.DueAt).Select(t => (DateTime?)t.DueAt)
            .FirstOrDefaultAsync(cancellationToken);
    }
}
