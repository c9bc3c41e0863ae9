using Mediation.Domain.Cases;
using Mediation.Domain.FollowUps;
using Mediation.Domain.Org;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Time;

namespace Mediation.Domain.Tests;

public class ReopenedCaseTests
{
    private static readonly WorkflowDefinition Workflow = WorkflowLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "workflows")).Latest("mediation-1-9-n");
    private static readonly WorkingDayCalendar Calendar = WorkingDayCalendar.WeekdaysOnly;
    private static readonly DateTime Now = new(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc);

    private static readonly OrgUnit Center = new(1, "LS", "临山街道矛盾纠纷调处中心", OrgUnitKind.StreetCenter, null);
    private static readonly OrgUnit Station = new(2, "LS-01", "城东管区调解站", OrgUnitKind.DistrictStation, Center);
    private static readonly OrgUnit Village = new(11, "LS-01-01", "东关社区调解点", OrgUnitKind.VillagePoint, Station);
    private static readonly Actor Mediator = new(101, "王建国", Actor.Roles.VillageMediator, Village.Id, Village.Path);

    private static DisputeCase Mediating()
    {
        var facts = new DisputeFacts(IntakeChannel.WalkIn, DisputeCategory.Neighbour, "排水沟堵塞纠纷", null, 8000m, RiskLevel.Low, RiskSignals.None,
            [new Party(PartyRole.Applicant, "当事人0", null, null, null), new Party(PartyRole.Respondent, "当事人1", null, null, null)]);
        var @case = DisputeCase.Register(Workflow, Calendar, 1, "LS-2026-000001", Mediator, Village, Center, facts, Now);
        @case.Accept(Workflow, Calendar, Mediator, @case.Version, Now);
        @case.RecordSession(Workflow, Calendar, Mediator, @case.Version, new SessionRecord(Now, "调解室", "双方", "协商"), Now);
        return @case;
    }

    private static List<FollowUpVisit> SettleAndClose(DisputeCase @case, string terms, DateTime at)
    {
        @case.Resolve(Workflow, Calendar, Mediator, @case.Version, new AgreementTerms(terms, true, []), at);
        @case.Close(Workflow, Calendar, Mediator, @case.Version, new ClosingFeedback("电话", "已告知"), at);
        var visits = @case.NewFollowUps.ToList();
        @case.ClearNewEvents();
        return visits;
    }

    [Fact]
    public void Resolve_AfterAnUnsatisfiedFollowUpReopened_KeepsEachAgreement_TheEarlierSuperseded()
    {
        var @case = Mediating();
        var firstVisits = SettleAndClose(@case, "一次性补偿2000元", Now);
        var first = @case.Agreement!;

        var reopened = @case.RecordFollowUp(Workflow, Calendar, Mediator, @case.Version, firstVisits[0], firstVisits,
            "上门", Satisfaction.Unsatisfied, Performance.NotPerformed, "补偿款未到位", Now.AddDays(7));
        Assert.True(reopened);
        var secondVisits = SettleAndClose(@case, "分两期补偿3000元", Now.AddDays(9));

        Assert.Equal(["一次性补偿2000元", "分两期补偿3000元"], @case.Agreements.Select(a => a.Terms));
        Assert.Equal(Now.AddDays(9), first.SupersededAt);
        Assert.Equal("分两期补偿3000元", @case.Agreement!.Terms);
        Assert.Null(@case.Agreement.SupersededAt);
        Assert.Equal(("closed", "resolved"), (@case.State, @case.Outcome));
        Assert.Equal(2, secondVisits.Count);
    }

    [Fact]
    public void Reopen_CancelsTheVisitsPlannedForTheClosingThatNoLongerStands_WithTheReason()
    {
        var @case = Mediating();
        var visits = SettleAndClose(@case, "一次性补偿2000元", Now);
        Assert.Equal(2, visits.Count);

        @case.RecordFollowUp(Workflow, Calendar, Mediator, @case.Version, visits[0], visits,
            "电话", Satisfaction.Unsatisfied, Performance.Performed, null, Now.AddDays(7));

        Assert.Equal(FollowUpStatus.Done, visits[0].Status);
        var cancelled = Assert.Single(@case.CancelledFollowUps);
        Assert.Same(visits[1], cancelled);
        Assert.Equal(FollowUpStatus.Cancelled, cancelled.Status);
        Assert.Contains("申请人不满意", cancelled.CancelReason, StringComparison.Ordinal);
        Assert.Equal(Now.AddDays(7), cancelled.CancelledAt);
        var refused = Assert.Throws<CaseInputException>(() => cancelled.Record(Mediator.StaffId, "电话", Satisfaction.Satisfied, Performance.Performed, null, Now.AddDays(30)));
        Assert.Equal("followUp", refused.Field);
    }

    [Fact]
    public void SuspendAndResume_MoveTheDeadlineByExactlyTheTimeSuspended()
    {
        var @case = Mediating();
        var deadline = @case.DeadlineAt!.Value;
        var suspendedAt = Now.AddHours(3).AddSeconds(17.5);

        @case.Suspend(Workflow, Mediator, @case.Version, "当事人外出务工联系不上", suspendedAt);
        var resumedAt = suspendedAt.AddDays(3).AddHours(2).AddSeconds(41);
        @case.Resume(Workflow, Mediator, @case.Version, resumedAt);

        Assert.Equal(deadline + (resumedAt - suspendedAt), @case.DeadlineAt);
    }

    [Fact]
    public void SuspendAndResumeAgain_DoNotStretchTheLimit()
    {
        var @case = Mediating();
        var deadline = @case.DeadlineAt!.Value;

        for (var i = 0; i < 5; i++)
        {
            @case.Suspend(Workflow, Mediator, @case.Version, "等待鉴定结论", Now.AddMinutes(10 * i));
            @case.Resume(Workflow, Mediator, @case.Version, Now.AddMinutes(10 * i));
        }

        Assert.Equal(deadline, @case.DeadlineAt);
    }

    [Fact]
    public void AllowedActions_NameSuspendWhileTheClockRuns_AndResumeWhileSuspended()
    {
        var @case = Mediating();
        Assert.Contains("suspend", @case.AllowedActions(Workflow, Mediator.Role));
        Assert.DoesNotContain("resume", @case.AllowedActions(Workflow, Mediator.Role));

        @case.Suspend(Workflow, Mediator, @case.Version, "当事人外出务工联系不上", Now);

        Assert.Contains("resume", @case.AllowedActions(Workflow, Mediator.Role));
        Assert.DoesNotContain("suspend", @case.AllowedActions(Workflow, Mediator.Role));
        var refused = Assert.Throws<TransitionNotAllowedException>(() => @case.Suspend(Workflow, Mediator, @case.Version, "再次中止", Now));
        Assert.Contains("resume", refused.AllowedActions);
    }
}
