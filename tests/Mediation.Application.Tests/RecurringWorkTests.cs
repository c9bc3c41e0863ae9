using Mediation.Application.Features.Supervision.GenerateDigest;
using Mediation.Application.Features.Supervision.ListDigests;
using Mediation.Domain.Supervision;
using Mediation.Infrastructure.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Mediation.Application.Tests;

public class RecurringWorkTests
{
    [Fact]
    public async Task WeeklyScreeningDigest_AppearsOnItsSchedule_FromQuartzsPersistentStore()
    {
        await using var host = await MediationHost.StartAsync(recurringWork: true);
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        host.SetChinaTime(2026, 3, 9, 7);
        host.Clock.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(58));

        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Start();
        try
        {
            // Only the weekly digest is under test: Quartz may fire the fortnightly one, due at the same minute, a moment early.
            Assert.Empty(await host.SendAs("zhuren", new ListDigests(DigestKind.WeeklyScreening)));
            host.Clock.Advance(TimeSpan.FromSeconds(4));

            IReadOnlyList<DigestView> digests = [];
            for (var waited = 0; waited < 200 && digests.Count == 0; waited++)
            {
                await Task.Delay(100);
                digests = await host.SendAs("zhuren", new ListDigests(DigestKind.WeeklyScreening));
            }

            var digest = Assert.Single(digests);
            Assert.Equal(new DateOnly(2026, 3, 9), digest.PeriodStart);
            var unit = Assert.Single(digest.Units);
            Assert.Equal((1, 0), (unit.Open, unit.Overdue)); // its 7-day limit runs to the end of 03-09
            Assert.Equal(registered.CaseNumber, Assert.Single(unit.Cases).CaseNumber);

            // The schedule is kept in the case database itself (Quartz's tables beside the cases), on either provider.
            await using var connection = await host.OpenConnectionAsync();
            await using var triggers = connection.CreateCommand();
            triggers.CommandText = "SELECT COUNT(*) FROM qrtz_triggers";
            Assert.Equal(2L, Convert.ToInt64(await triggers.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }
    }

    [Fact]
    public async Task FirstStart_MonthsAfterTheScheduleBegan_MakesTheFirstDigestForTheCurrentPeriod()
    {
        await using var host = await MediationHost.StartAsync(recurringWork: true);
        await host.SendAs("zhongxin1", Disputes.CollectiveWageArrears());
        host.SetChinaTime(2026, 12, 2, 10);

        var scheduler = await host.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.Start();
        try
        {
            IReadOnlyList<DigestView> digests = [];
            for (var waited = 0; waited < 100 && digests.Count == 0; waited++)
            {
                await Task.Delay(100);
                digests = await host.SendAs("zhuren", new ListDigests(DigestKind.FortnightlyConsultation));
            }

            // Wednesday 12-02 is in the week of Monday 11-30, not the fortnight of 01-05 when the schedule began.
            Assert.Equal(new DateOnly(2026, 11, 30), Assert.Single(digests).PeriodStart);
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: true);
        }
    }

    [Fact]
    public async Task DigestForAPeriod_IsMadeOnce_HoweverOftenItIsAskedFor()
    {
        await using var host = await MediationHost.StartAsync();
        await host.SendAs("cun01-1", Disputes.CollectiveWageArrears());
        var first = await host.SendAs("zhuren", new GenerateDigest(DigestKind.FortnightlyConsultation, new DateOnly(2026, 3, 2)));
        var again = await host.SendAs("zhuren", new GenerateDigest(DigestKind.FortnightlyConsultation, new DateOnly(2026, 3, 2)));

        Assert.Equal(first, again);
        Assert.Single(await host.SendAs("xinfang1", new ListDigests()));
    }

    [Fact]
    public void FiringsAreFiledUnderTheMondayOfTheirWeek() =>
        Assert.Equal(new DateOnly(2026, 3, 9), RecurringWork.PeriodOf(new DateTimeOffset(2026, 3, 12, 1, 0, 0, TimeSpan.Zero)));
}
