using Mediation.Domain.Supervision;

namespace Mediation.Domain.Cases.Policies;

/// <summary>Every notice a case sends, its Chinese text and who gets it: a new notice is one more case here.</summary>
public static class NoticePolicy
{
    public static IEnumerable<Notice> On(object happened, PolicyContext context)
    {
        var c = context.Case;
        var now = context.NowUtc;
        switch (happened)
        {
            case CaseRegistered { IsMajor: true } registered:
                foreach (var role in registered.NotifyRoles)
                    yield return new Notice(c.UnitId, role, c.Id, Notice.Kinds.MajorDisputeReported, $"重大疑难矛盾纠纷 {c.CaseNumber}: {c.Summary}", now);
                break;

            case LevelTimeLimitPassed { Escalated: true } passed:
                yield return new Notice(c.UnitId, null, c.Id, Notice.Kinds.EscalatedOnExpiry, $"案件 {c.CaseNumber} 因{passed.Level.Title.Zh}时限届满自动上报: {c.Summary}", now);
                break;

            case LevelTimeLimitPassed passed:
                yield return new Notice(c.UnitId, null, c.Id, Notice.Kinds.TimeLimitPassed, $"案件 {c.CaseNumber} 已超过{passed.Level.Title.Zh}办理时限: {c.Summary}", now, c.OwnerId);
                if (c.ParentUnitId is { } supervisor)
                    yield return new Notice(supervisor, null, c.Id, Notice.Kinds.TimeLimitPassed, $"督办: 案件 {c.CaseNumber} 已超过{passed.Level.Title.Zh}办理时限", now);
                break;

            case AcceptanceOverdue:
                yield return new Notice(c.UnitId, null, c.Id, Notice.Kinds.AcceptanceOverdue, $"案件 {c.CaseNumber} 已超过受理时限，请及时受理: {c.Summary}", now);
                if (c.ParentUnitId is { } overseer)
                    yield return new Notice(overseer, null, c.Id, Notice.Kinds.AcceptanceOverdue, $"督办: 案件 {c.CaseNumber} 逾期未受理", now);
                break;

            case ProgressNoticeDue:
                yield return new Notice(c.UnitId, null, c.Id, Notice.Kinds.ProgressNoticeDue, $"请向申请人 {c.ApplicantName} 告知案件 {c.CaseNumber} 的办理进度", now, c.OwnerId ?? c.FirstResponsibleId);
                break;
        }
    }
}
