using Mediation.Domain.Cases;
using Mediation.Domain.Cases.Policies;
using Mediation.Domain.Deadlines;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Engine;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Time;

namespace Mediation.Domain.Tests;

public class CasePolicyTests
{
    private static readonly WorkflowDefinition Workflow = WorkflowLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "workflows")).Latest("mediation-1-9-n");
    private static readonly WorkingDayCalendar Calendar = WorkingDayCalendar.WeekdaysOnly;
    private static readonly DateTime Now = new(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc);

    private static readonly OrgUnit Center = new(1, "LS", "临山街道矛盾纠纷调处中心", OrgUnitKind.StreetCenter, null);
    private static readonly OrgUnit Station = new(2, "LS-01", "城东管区调解站", OrgUnitKind.DistrictStation, Center);
    private static readonly OrgUnit Village = new(11, "LS-01-01", "东关社区调解点", OrgUnitKind.VillagePoint, Station);
    private static readonly Actor Mediator = new(101, "王建国", Actor.Roles.VillageMediator, Village.Id, Village.Path);

    private static DisputeCase Registered() => DisputeCase.Register(Workflow, Calendar, 7, "LS-2026-000007", Mediator, Village, Center,
        new DisputeFacts(IntakeChannel.WalkIn, DisputeCategory.Neighbour, "排水沟堵塞纠纷", null, 8000m, RiskLevel.Low, RiskSignals.None,
            [new Party(PartyRole.Applicant, "张三", null, null, null), new Party(PartyRole.Respondent, "李四", null, null, null)]), Now);

    [Fact]
    public void TimeLimitPassed_TellsTheOwnerAtTheHoldingUnit_AndTheUnitAbove_InChinese()
    {
        var context = new PolicyContext(Registered(), Calendar, Now.AddDays(8));

        var notices = NoticePolicy.On(new LevelTimeLimitPassed(Workflow.Level("village"), Escalated: false), context).ToList();

        Assert.Equal(
            [
                (Village.Id, (long?)Mediator.StaffId, Notice.Kinds.TimeLimitPassed, "案件 LS-2026-000007 已超过村级调解点办理时限: 排水沟堵塞纠纷"),
                (Station.Id, null, Notice.Kinds.TimeLimitPassed, "督办: 案件 LS-2026-000007 已超过村级调解点办理时限"),
            ],
            notices.Select(n => (n.RecipientUnitId, n.RecipientStaffId, n.Kind, n.Message)));
    }

    [Fact]
    public void DeadlineSet_SchedulesTheLevelDeadlineTimer_AtTheHoldingUnit_AndNothingElseReacts()
    {
        var context = new PolicyContext(Registered(), Calendar, Now);
        var happened = new DeadlineSet("village", Now.AddDays(7));

        var timer = Assert.Single(TimerPolicy.On(happened, context));

        Assert.Equal((7L, TimerKind.LevelDeadline, Now.AddDays(7), "village", Village.Id), (timer.CaseId, timer.Kind, timer.DueAt, timer.Level, timer.UnitId));
        Assert.Empty(NoticePolicy.On(happened, context));
        Assert.Empty(FollowUpPolicy.Plan(happened, context));
    }

    [Fact]
    public void Registering_SchedulesWhatThePoliciesAnswerForTheEnginesEvents()
    {
        var @case = Registered();

        Assert.Equal([TimerKind.LevelDeadline, TimerKind.AcceptanceDeadline, TimerKind.ProgressNotice], @case.NewTimers.Select(t => t.Kind));
        Assert.Equal(@case.DeadlineAt, @case.NewTimers[0].DueAt);
    }

    [Fact]
    public void TheAggregate_NoLongerWritesNoticesOrBuildsTimersAndVisits_ThePoliciesDo()
    {
        var source = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Mediation.Domain", "Cases", "DisputeCase.cs"));

        foreach (var construction in new[] { "new Notice(", "new CaseTimer(", "new FollowUpVisit(", "Notice.Kinds.", "TimerKind." })
            Assert.DoesNotContain(construction, source, StringComparison.Ordinal);
        foreach (var noticeText in new[] { "督办", "重大疑难矛盾纠纷", "结案后", "请向申请人", "new TransitionDefinition(" })
            Assert.DoesNotContain(noticeText, source, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mediation.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Mediation.sln above {AppContext.BaseDirectory}.");
    }
}
