using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Mediation.Application.Features.Cases.CloseCase;
using Mediation.Application.Features.Deadlines.FireTimer;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Mediation.Infrastructure;
using Mediation.Infrastructure.Deadlines;
using MediatR;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Mediation.Benchmarks;

/// <summary>
/// Durable time under load, on SQLite files: scheduling follow-ups through the real close command; a steady stream
/// of level deadlines coming due and a burst coming due at one instant, each applying its escalation and event,
/// woken by our dispatcher over the timer table — and the same loads through Quartz's persistent store with one
/// trigger per timer (its own SQLite file), as the peer. Both apply the effect through the same FireTimer command.
/// </summary>
internal static class TimerBenchmark
{
    public sealed record LoadResult(string Engine, Samples SteadyLag, double BurstDrainSeconds, int Early, int AppliedTwice, int NotApplied, double SchedulingPerSecond);

    public static async Task RunAsync(string folder, int followUps, int steadyPerSecond, int steadySeconds, int burst)
    {
        Report.Heading($"Durable time: {followUps:N0} follow-ups scheduled; {steadyPerSecond}/s level deadlines for {steadySeconds} s; {burst:N0} at one instant");
        var scheduling = await FollowUpSchedulingAsync(folder, followUps);
        Report.Figure("follow-up visits scheduled (close command, 2 visits + 4 timers each)", scheduling, "/s");

        var ours = await LoadAsync(folder, "dispatcher", steadyPerSecond, steadySeconds, burst);
        var peer = await LoadAsync(folder, "quartz", steadyPerSecond, steadySeconds, burst);
        foreach (var r in new[] { ours, peer })
        {
            Report.Figure($"{r.Engine}: steady lag due → effect p50", r.SteadyLag.Percentile(50), "ms", $"p99 {r.SteadyLag.Percentile(99):N1} ms");
            Report.Figure($"{r.Engine}: {burst:N0} deadlines at one instant drained in", r.BurstDrainSeconds, "s");
            Report.Figure($"{r.Engine}: fired early / applied twice / not applied", r.Early, "", $"{r.AppliedTwice} / {r.NotApplied}");
        }
        Report.Figure("Quartz: triggers scheduled (one per timer)", peer.SchedulingPerSecond, "/s");
        Report.Figure("steady p99 lag, dispatcher vs Quartz", ours.SteadyLag.Percentile(99) / peer.SteadyLag.Percentile(99) * 100, "%",
            Report.Target(ours.SteadyLag.Percentile(99) <= 100, "p99 <= 100 ms"));
        Report.Figure("burst drain, dispatcher vs Quartz", ours.BurstDrainSeconds / peer.BurstDrainSeconds * 100, "%",
            Report.Target(ours.BurstDrainSeconds <= 5, $"{burst:N0} in <= 5 s"));
        Report.Figure("dispatcher: zero early, zero applied twice", ours.Early + ours.AppliedTwice, "", Report.Target(ours.Early + ours.AppliedTwice == 0, "0"));
    }

    private static string Fresh(string folder, string name)
    {
        var file = Path.Combine(folder, name);
        foreach (var f in Directory.GetFiles(folder, name + "*"))
            File.Delete(f);
        return file;
    }

    private static async Task<double> FollowUpSchedulingAsync(string folder, int followUps)
    {
        var file = Fresh(folder, "follow-ups.db");
        await using var host = await BenchHost.StartAsync(file, SqliteDurability.Full);
        List<long> resolved;
        using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            connection.Open();
            var unit = BenchCases.Unit(connection, "cun01-1");
            resolved = BenchCases.Insert(connection, unit, "resolved", "village", "resolved", Enumerable.Repeat<DateTime?>(null, followUps / 2).ToList(), 5);
        }
        for (var i = 0; i < 200; i++)
            await host.SendAs("cun01-1", new CloseCase(resolved[i], 5, "电话", "已告知"));
        var started = Stopwatch.GetTimestamp();
        foreach (var id in resolved.Skip(200))
            await host.SendAs("cun01-1", new CloseCase(id, 5, "电话", "已告知"));
        return (resolved.Count - 200) * 2 / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<LoadResult> LoadAsync(string folder, string engine, int perSecond, int seconds, int burst)
    {
        var file = Fresh(folder, $"timers-{engine}.db");
        await using (await BenchHost.StartAsync(file, SqliteDurability.Full))
        {
        }

        var steadyCount = perSecond * seconds;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        var options = new MediationOptions { ConnectionString = file, Durability = SqliteDurability.Full };
        services.AddMediation(options);
        // The application asks its host for a password hasher (the pipeline hashes before an account command's transaction).
        services.AddSingleton<Mediation.Application.Features.Administration.IPasswordHashing, IdentityHashing>();
        string? quartzFile = null;
        if (engine == "quartz")
        {
            quartzFile = Fresh(folder, "quartz-store.db");
            services.AddQuartz(quartz => quartz.UsePersistentStore(store =>
            {
                store.UseSqlite(InfrastructureServices.SqliteConnectionString(quartzFile));
                store.ProvisionSchema();
            }));
        }
        await using var provider = services.BuildServiceProvider();

        var schedulingRate = 0.0;
        IScheduler? scheduler = null;
        var lead = TimeSpan.FromSeconds(5);
        if (engine == "quartz")
        {
            scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler();
            await scheduler.AddJob(JobBuilder.Create<PeerFireJob>().WithIdentity("fire").StoreDurably().Build(), AddJobOptions.Replacing);

            // Quartz must have every trigger stored before the first comes due: measure its rate, then leave room.
            var probe = Stopwatch.GetTimestamp();
            for (var i = 0; i < 300; i++)
                await scheduler.ScheduleJob(Trigger(-i - 1, DateTime.UtcNow.AddHours(1)));
            schedulingRate = 300 / Stopwatch.GetElapsedTime(probe).TotalSeconds;
            lead = TimeSpan.FromSeconds(10 + 1.5 * (steadyCount + burst) / schedulingRate);
        }

        var t0 = DateTime.UtcNow + lead;
        var steadyDue = Enumerable.Range(0, steadyCount).Select(i => t0 + TimeSpan.FromSeconds((double)i / perSecond)).ToList();
        var burstAt = t0 + TimeSpan.FromSeconds(seconds + 3);
        List<long> steadyIds, burstIds;
        using (var connection = new SqliteConnection($"Data Source={file}"))
        {
            connection.Open();
            var unit = BenchCases.Unit(connection, "cun01-1");
            steadyIds = BenchCases.Insert(connection, unit, "accepted", "village", null, steadyDue.Select(d => (DateTime?)d).ToList(), 2);
            burstIds = BenchCases.Insert(connection, unit, "accepted", "village", null, Enumerable.Repeat<DateTime?>(burstAt, burst).ToList(), 2);
            BenchCases.InsertLevelDeadlines(connection, steadyIds, steadyDue, unit.Id);
            BenchCases.InsertLevelDeadlines(connection, burstIds, Enumerable.Repeat(burstAt, burst).ToList(), unit.Id);
        }

        // Escalations schedule the next level's timers; only the benchmark's own are measured and waited for.
        var lastTimer = ReadTimers(file).Max(t => t.Id);
        using var stop = new CancellationTokenSource();
        var dispatcher = provider.GetRequiredService<TimerDispatcher>();
        if (scheduler is not null)
        {
            var timers = ReadTimers(file).Where(t => t.Id <= lastTimer).ToList();
            var started = Stopwatch.GetTimestamp();
            foreach (var (id, due) in timers)
                await scheduler.ScheduleJob(Trigger(id, due));
            schedulingRate = timers.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
            await scheduler.Start();
        }
        else
        {
            await dispatcher.StartAsync(stop.Token);
        }

        var deadline = DateTime.UtcNow + (burstAt - DateTime.UtcNow) + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline && Pending(file, lastTimer) > 0)
            await Task.Delay(250);
        if (scheduler is not null)
            await scheduler.Shutdown(waitForJobsToComplete: true);
        else
            await dispatcher.StopAsync(CancellationToken.None);
        await stop.CancelAsync();

        using var read = new SqliteConnection($"Data Source={file}");
        read.Open();
        var lag = new Samples();
        var early = 0;
        var notApplied = 0;
        DateTime burstDone = burstAt;
        using (var command = read.CreateCommand())
        {
            command.CommandText = $"SELECT case_id, due_at, resolved_at, status FROM case_timers WHERE id <= {lastTimer}";
            using var reader = command.ExecuteReader();
            var steady = steadyIds.ToHashSet();
            while (reader.Read())
            {
                if (reader.GetString(3) != "Applied" || reader.IsDBNull(2))
                {
                    notApplied++;
                    continue;
                }
                var due = DateTime.ParseExact(reader.GetString(1), BenchCases.TimeFormat, CultureInfo.InvariantCulture);
                var done = DateTime.ParseExact(reader.GetString(2), BenchCases.TimeFormat, CultureInfo.InvariantCulture);
                if (done < due)
                    early++;
                if (steady.Contains(reader.GetInt64(0)))
                    lag.Add(done - due);
                else if (done > burstDone)
                    burstDone = done;
            }
        }
        using var twice = read.CreateCommand();
        twice.CommandText = "SELECT COUNT(*) FROM (SELECT case_id FROM case_events WHERE action = 'escalateOnExpiry' GROUP BY case_id HAVING COUNT(*) > 1)";
        var appliedTwice = Convert.ToInt32(twice.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (quartzFile is not null)
            SqliteConnection.ClearAllPools();
        return new LoadResult(engine, lag, (burstDone - burstAt).TotalSeconds, early, appliedTwice, notApplied, schedulingRate);
    }

    private static ITrigger Trigger(long timerId, DateTime dueUtc) =>
        TriggerBuilder.Create(TimeProvider.System)
            .WithIdentity($"timer-{timerId}")
            .ForJob("fire")
            .UsingJobData("timer", timerId.ToString(CultureInfo.InvariantCulture))
            .StartAt(new DateTimeOffset(dueUtc, TimeSpan.Zero))
            .Build();

    private static List<(long Id, DateTime Due)> ReadTimers(string file)
    {
        using var connection = new SqliteConnection($"Data Source={file}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, due_at FROM case_timers ORDER BY due_at";
        using var reader = command.ExecuteReader();
        var timers = new List<(long, DateTime)>();
        while (reader.Read())
            timers.Add((reader.GetInt64(0), DateTime.SpecifyKind(DateTime.ParseExact(reader.GetString(1), BenchCases.TimeFormat, CultureInfo.InvariantCulture), DateTimeKind.Utc)));
        return timers;
    }

    private static long Pending(string file, long lastTimer)
    {
        using var connection = new SqliteConnection($"Data Source={file}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM case_timers WHERE status = 'Pending' AND id <= {lastTimer}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The peer's job: the same FireTimer command our dispatcher sends.</summary>
    private sealed class PeerFireJob(IServiceProvider services) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            var id = long.Parse((string)context.MergedJobDataMap["timer"]!, CultureInfo.InvariantCulture);
            if (id < 0)
                return;
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ActorContext>().Use(Actor.SystemAt(0, "/"));
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new FireTimer(id), cancellationToken);
        }
    }
}
