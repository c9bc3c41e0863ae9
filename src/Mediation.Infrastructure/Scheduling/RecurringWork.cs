using Mediation.Application.Features.Supervision.GenerateDigest;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using Mediation.Workflows.Time;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Mediation.Infrastructure.Scheduling;

/// <summary>
/// The street center's routine on Quartz, in China time, from Quartz's persistent store in the case database:
/// the weekly screening digest (每周集中排查) every Monday 08:00 and the fortnightly consultation agenda
/// (每半月会商研判) every other Monday 14:00. A firing missed while the server was down runs once on start-up.
/// </summary>
public static class RecurringWork
{
    // Quartz stores the zone's id with each trigger, so it must be a real tz database id, not a custom zone.
    public static readonly TimeZoneInfo China = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public const string WeeklyScreening = "weekly-screening";
    public const string FortnightlyConsultation = "fortnightly-consultation";

    /// <summary>The Monday the consultation fortnights are counted from.</summary>
    private static readonly DateTimeOffset FirstConsultation = new(2026, 1, 5, 14, 0, 0, WorkingDayCalendar.ChinaOffset);

    /// <summary>Configures the scheduler; a host runs it with <c>AddQuartzHostedService</c>, a test starts it by hand.</summary>
    public static IServiceCollection AddMediationRecurringWork(this IServiceCollection services, MediationOptions options, TimeProvider? clock = null)
    {
        services.AddQuartz(quartz =>
        {
            if (clock is not null)
                quartz.UseTimeProvider(clock);
            quartz.UsePersistentStore(store =>
            {
                if (options.Provider == DatabaseProvider.Sqlite)
                    store.UseSqlite(InfrastructureServices.SqliteConnectionString(options.ConnectionString));
                else
                    store.UsePostgres(options.ConnectionString);
                // Several nodes may start at once on an empty database: whichever loses the race finds the winner's tables.
                store.ProvisionSchema();
                if (options.Provider == DatabaseProvider.Postgres)
                {
                    // Each node gets an instance id of its own (AUTO); a node silent for 7.5 s + 7.5 s is presumed dead
                    // and its in-flight firings recovered by another.
                    store.UseClustering(cluster =>
                    {
                        cluster.CheckinInterval = TimeSpan.FromSeconds(7.5);
                        cluster.CheckinMisfireThreshold = TimeSpan.FromSeconds(7.5);
                    });
                }
            });
            quartz.ScheduleJob<WeeklyScreeningJob>(trigger => trigger
                .WithIdentity(WeeklyScreening)
                .WithSchedule(CronScheduleBuilder.Create("0 0 8 ? * MON").InTimeZone(China).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
            quartz.ScheduleJob<FortnightlyConsultationJob>(trigger => trigger
                .WithIdentity(FortnightlyConsultation)
                .StartAt(FirstConsultation)
                .WithSchedule(CalendarIntervalScheduleBuilder.Create().WithInterval(2, IntervalUnit.Week).InTimeZone(China).WithMisfireInstruction(CalendarIntervalTriggerMisfireInstruction.FireAndProceed)));
        });
        if (options.Provider == DatabaseProvider.Postgres)
        {
            // A node joining the cluster keeps the schedule the cluster stores: replacing it would reset the triggers
            // and fire a missed period again on every node start.
            services.Configure<QuartzOptions>(quartz => quartz.Scheduling.IgnoreDuplicates = true);
        }
        return services;
    }

    /// <summary>
    /// The period a firing covers: the week it runs in. Not its scheduled time: on a first start Quartz reports the
    /// trigger's start (the 2026-01-05 anchor of the fortnights) as the scheduled time, which filed the digest eleven
    /// months back; a firing caught up after downtime likewise covers the current week.
    /// </summary>
    public static DateOnly PeriodOf(IJobExecutionContext firing) => PeriodOf(firing.FireTimeUtc);

    /// <summary>The China date of the Monday that starts the week of a firing.</summary>
    public static DateOnly PeriodOf(DateTimeOffset fireTimeUtc)
    {
        var day = WorkingDayCalendar.ChinaDate(fireTimeUtc.UtcDateTime);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    internal static async Task SendAsSystem(IServiceProvider services, IRequest<DigestSummary> request, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(Actor.SystemAt(0, "/"));
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, cancellationToken);
    }
}

/// <summary>每周集中排查: a one-liner that sends the idempotent command.</summary>
[DisallowConcurrentExecution]
public sealed class WeeklyScreeningJob(IServiceProvider services) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        new(RecurringWork.SendAsSystem(services, new GenerateDigest(DigestKind.WeeklyScreening, RecurringWork.PeriodOf(context)), cancellationToken));
}

/// <summary>每半月会商研判: a one-liner that sends the idempotent command.</summary>
[DisallowConcurrentExecution]
public sealed class FortnightlyConsultationJob(IServiceProvider services) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        new(RecurringWork.SendAsSystem(services, new GenerateDigest(DigestKind.FortnightlyConsultation, RecurringWork.PeriodOf(context)), cancellationToken));
}
