using Mediation.Workflows.Definitions;
using Mediation.Workflows.Time;

namespace Mediation.Workflows.Engine;

/// <summary>A level's clock: when its time limit runs out, and what is left of it when it is stopped.</summary>
public static class LevelClock
{
    /// <summary>
    /// The deadline of a level entered at <paramref name="levelEnteredAt"/> under <paramref name="limit"/>, moved on by
    /// <paramref name="timeSuspended"/> (the time its clock stood still). Also what a case moved to a new definition
    /// version gets: the time already spent at the level counts against the new limit.
    /// </summary>
    public static DateTime Deadline(WorkingDayCalendar calendar, DateTime levelEnteredAt, TimeLimit limit, TimeSpan timeSuspended = default) =>
        calendar.Deadline(levelEnteredAt, limit) + timeSuspended;

    /// <summary>What is left of the limit at <paramref name="atUtc"/>, rounded up to a whole minute; none once it passed.</summary>
    public static int RemainingMinutes(DateTime deadlineUtc, DateTime atUtc) =>
        (int)Math.Max(0, Math.Ceiling((deadlineUtc - atUtc).TotalMinutes));

    // Deadlines fall on whole minutes (the end of a China day) and the remainder was rounded up to a minute, so the
    // minute the case was suspended in plus the remainder is the deadline it had, to the tick.
    public static DateTime DeadlineBeforeSuspension(DateTime suspendedAtUtc, int remainingMinutes) =>
        new DateTime(suspendedAtUtc.Ticks - (suspendedAtUtc.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc).AddMinutes(remainingMinutes);
}
