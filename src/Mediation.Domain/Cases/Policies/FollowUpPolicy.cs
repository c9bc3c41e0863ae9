using Mediation.Domain.FollowUps;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Engine;
using Mediation.Workflows.Time;

namespace Mediation.Domain.Cases.Policies;

/// <summary>回访: which visits a case plans when it reaches a rule's state, and which it cancels when it is reopened.</summary>
public static class FollowUpPolicy
{
    // Visits some days after the case reaches the rule's state, and on each due date of the agreement, each moved to a
    // working day; a visit not recorded within the grace days becomes a supervision item.
    public static IEnumerable<FollowUpVisit> Plan(object happened, PolicyContext context)
    {
        if (happened is not ReachedState reached)
            yield break;
        var c = context.Case;
        var today = WorkingDayCalendar.ChinaDate(context.NowUtc);
        var owner = c.OwnerId ?? c.FirstResponsibleId;
        foreach (var rule in reached.FollowUps)
        {
            var visits = rule.AfterDays.Select(d => (Day: today.AddDays(d), Reason: $"结案后{d}日回访"))
                .Concat(rule.OnAgreementDueDates && c.Agreement is { } agreement
                    ? agreement.DueDates.Where(d => d >= today).Select(d => (Day: d, Reason: $"协议履行期限 {d:yyyy-MM-dd} 回访"))
                    : []);
            foreach (var (day, reason) in visits)
            {
                var dueOn = context.Calendar.WorkingDayOnOrAfter(day);
                var graceEnds = context.Calendar.Deadline(WorkingDayCalendar.StartOfChinaDay(dueOn), new TimeLimit(rule.GraceDays, DayCounting.WorkingDays));
                yield return new FollowUpVisit(c.Id, owner, c.UnitId, dueOn, WorkingDayCalendar.StartOfChinaDay(dueOn), graceEnds, reason);
            }
        }
    }

    /// <summary>The planned visits the reopening cancels (those not yet recorded or cancelled), each told why.</summary>
    public static IReadOnlyList<FollowUpVisit> Cancel(object happened, PolicyContext context) =>
        happened is CaseReopened reopened
            ? reopened.PlannedVisits.Where(v => v.Cancel($"案件已重新调解: {reopened.Reason}", context.NowUtc)).ToList()
            : [];
}
