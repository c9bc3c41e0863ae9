using Mediation.Domain.Deadlines;
using Mediation.Workflows.Engine;

namespace Mediation.Domain.Cases.Policies;

/// <summary>Every timer a case schedules, and on what: a new timer kind is one more line here.</summary>
public static class TimerPolicy
{
    public static IEnumerable<CaseTimer> On(object happened, PolicyContext context)
    {
        var c = context.Case;
        switch (happened)
        {
            case DeadlineSet deadline:
                yield return new CaseTimer(c.Id, TimerKind.LevelDeadline, deadline.At, deadline.Level, c.UnitId);
                break;
            case AcceptanceExpected acceptance:
                yield return new CaseTimer(c.Id, TimerKind.AcceptanceDeadline, acceptance.By, acceptance.Level, c.UnitId);
                break;
            case CaseRegistered { ProgressNoticeEveryDays: { } every }:
                yield return new CaseTimer(c.Id, TimerKind.ProgressNotice, context.NowUtc.AddDays(every), c.Level, c.UnitId);
                break;
            case ProgressNoticeDue { NextInDays: { } next }:
                yield return new CaseTimer(c.Id, TimerKind.ProgressNotice, context.NowUtc.AddDays(next), c.Level, c.UnitId);
                break;
        }
    }
}
