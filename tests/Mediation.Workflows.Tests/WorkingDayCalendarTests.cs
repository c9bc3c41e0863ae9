using Mediation.Workflows.Definitions;
using Mediation.Workflows.Time;

namespace Mediation.Workflows.Tests;

public class WorkingDayCalendarTests
{
    private static readonly WorkingDayCalendar China =
        WorkingDayCalendar.Parse(File.ReadAllText(Path.Combine(ShippedDefinition.Folder, "calendars", "cn-working-days.json")));

    private static DateTime ChinaTime(int y, int m, int d, int h = 10) => new DateTime(y, m, d, h, 0, 0, DateTimeKind.Utc).AddHours(-8);

    private static DateOnly DeadlineDay(DateTime deadlineUtc) => WorkingDayCalendar.ChinaDate(deadlineUtc.AddTicks(-1));

    [Fact]
    public void CalendarDays_LandingInNationalDayHoliday_MoveToTheNextWorkingDay()
    {
        // 2026-09-28 + 7 days = 10-05, inside the 10-01..10-07 holiday; the next working day is Thursday 10-08.
        var deadline = China.Deadline(ChinaTime(2026, 9, 28), new TimeLimit(7, DayCounting.CalendarDays));
        Assert.Equal(new DateOnly(2026, 10, 8), DeadlineDay(deadline));
    }

    [Fact]
    public void WorkingDays_SkipHolidays_AndCountMakeUpSaturdays()
    {
        // From Wed 2026-09-30: 10-01..10-07 off, 10-08 (Thu) 1, 10-09 (Fri) 2, 10-10 (make-up Sat) 3.
        var deadline = China.Deadline(ChinaTime(2026, 9, 30), new TimeLimit(3, DayCounting.WorkingDays));
        Assert.Equal(new DateOnly(2026, 10, 10), DeadlineDay(deadline));
    }

    [Fact]
    public void Deadline_LastsUntilTheEndOfTheChinaDay()
    {
        var deadline = China.Deadline(ChinaTime(2026, 3, 2), new TimeLimit(1, DayCounting.CalendarDays));
        Assert.Equal(new DateTime(2026, 3, 3, 16, 0, 0, DateTimeKind.Utc), deadline);
    }

    [Fact]
    public void YearNotYetAnnounced_CountsPlainWeekdays()
    {
        Assert.True(China.IsWorkingDay(new DateOnly(2027, 10, 1)));
        Assert.False(China.IsWorkingDay(new DateOnly(2027, 10, 2)));
    }
}
