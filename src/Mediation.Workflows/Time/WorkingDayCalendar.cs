using Mediation.Workflows.Definitions;

namespace Mediation.Workflows.Time;

/// <summary>
/// China's working days: Monday to Friday, less the announced public holidays, plus the make-up working
/// weekends (调休). Years come from a calendar file under <c>workflows/calendars/</c>; a year the file does
/// not list counts plain weekdays, so an administrator adds each year as the State Council announces it.
/// </summary>
public sealed class WorkingDayCalendar
{
    // China has kept one offset without daylight saving since 1991; a fixed offset needs no tz database
    // on the office PC and cannot drift with one.
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private readonly HashSet<DateOnly> _daysOff;
    private readonly HashSet<DateOnly> _makeUpDays;

    public WorkingDayCalendar(IEnumerable<DateOnly> daysOff, IEnumerable<DateOnly> makeUpWorkingDays, IEnumerable<int> yearsCovered)
    {
        _daysOff = [.. daysOff];
        _makeUpDays = [.. makeUpWorkingDays];
        YearsCovered = [.. yearsCovered.Order()];
    }

    /// <summary>A calendar with no announced holidays: every weekday works.</summary>
    public static WorkingDayCalendar WeekdaysOnly { get; } = new([], [], []);

    public IReadOnlyList<int> YearsCovered { get; }

    public bool IsWorkingDay(DateOnly day) =>
        _makeUpDays.Contains(day) || (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_daysOff.Contains(day));

    public static DateOnly ChinaDate(DateTime utc) => DateOnly.FromDateTime(utc + ChinaOffset);

    /// <summary>The instant the given China date begins, in UTC.</summary>
    public static DateTime StartOfChinaDay(DateOnly day) =>
        DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue) - ChinaOffset, DateTimeKind.Utc);

    public DateOnly WorkingDayOnOrAfter(DateOnly day)
    {
        while (!IsWorkingDay(day))
            day = day.AddDays(1);
        return day;
    }

    /// <summary>The end of the China day holding <paramref name="instantUtc"/>, or of the next working day if that is a day off.</summary>
    public DateTime EndOfWorkingDayOnOrAfter(DateTime instantUtc) => EndOfChinaDay(WorkingDayOnOrAfter(ChinaDate(instantUtc)));

    /// <summary>The first instant after the given China date ends, in UTC: a deadline "on" a day lasts all that day.</summary>
    public static DateTime EndOfChinaDay(DateOnly day) =>
        DateTime.SpecifyKind(day.AddDays(1).ToDateTime(TimeOnly.MinValue) - ChinaOffset, DateTimeKind.Utc);

    /// <summary>
    /// When a time limit that starts at <paramref name="startUtc"/> runs out. Calendar days count every day but a
    /// last day that falls on a day off moves to the next working day; working days count only working days.
    /// The start day itself is not counted.
    /// </summary>
    public DateTime Deadline(DateTime startUtc, TimeLimit limit)
    {
        var day = ChinaDate(startUtc);
        if (limit.Counting == DayCounting.CalendarDays)
        {
            day = day.AddDays(limit.Days);
        }
        else
        {
            for (var counted = 0; counted < limit.Days;)
            {
                day = day.AddDays(1);
                if (IsWorkingDay(day))
                    counted++;
            }
        }
        while (!IsWorkingDay(day))
            day = day.AddDays(1);
        return EndOfChinaDay(day);
    }

    /// <summary>Reads a calendar file: <c>{ "years": { "2026": { "off": ["01-01..01-03"], "work": ["01-04"] } } }</c>; throws with every error found.</summary>
    public static WorkingDayCalendar Parse(string json)
    {
        var (calendar, errors) = CalendarLoader.Parse(json, "calendar");
        return calendar ?? throw new Validation.WorkflowDefinitionException(errors);
    }
}
