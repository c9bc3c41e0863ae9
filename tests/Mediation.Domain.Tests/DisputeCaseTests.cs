using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Time;

namespace Mediation.Domain.Tests;

public class DisputeCaseTests
{
    private static readonly WorkflowDefinition Workflow = WorkflowLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "workflows")).Latest("mediation-1-9-n");
    private static readonly WorkingDayCalendar Calendar = WorkingDayCalendar.WeekdaysOnly;
    private static readonly DateTime Now = new(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc);

    private static readonly OrgUnit Center = new(1, "LS", "临山街道矛盾纠纷调处中心", OrgUnitKind.StreetCenter, null);
    private static readonly OrgUnit Station = new(2, "LS-01", "城东管区调解站", OrgUnitKind.DistrictStation, Center);
    private static readonly OrgUnit OtherStation = new(3, "LS-02", "城西管区调解站", OrgUnitKind.DistrictStation, Center);
    private static readonly OrgUnit Village = new(11, "LS-01-01", "东关社区调解点", OrgUnitKind.VillagePoint, Station);

    private static readonly Actor VillageMediator = new(101, "王建国", Actor.Roles.VillageMediator, Village.Id, Village.Path);
    private static readonly Actor StationMediator = new(201, "李秀英", Actor.Roles.StationMediator, Station.Id, Station.Path);

    private static DisputeFacts Facts(int parties = 2, decimal? amount = 8000m, RiskLevel risk = RiskLevel.Low) => new(
        IntakeChannel.WalkIn, DisputeCategory.Neighbour, "排水沟堵塞纠纷", null, amount, risk, RiskSignals.None,
        Enumerable.Range(0, parties).Select(i => new Party(i == 0 ? PartyRole.Applicant : PartyRole.Respondent, $"当事人{i}", null, null, null)).ToList());

    private static DisputeCase Register(DisputeFacts? facts = null) =>
        DisputeCase.Register(Workflow, Calendar, 1, "LS-2026-000001", VillageMediator, Village, Center, facts ?? Facts(), Now);

    [Fact]
    public void Register_AtAVillagePoint_StartsPendingAtTheVillage_OwnedByWhoReceivedIt()
    {
        var @case = Register();

        Assert.Equal(("pending", "village", Village.Id, 1), (@case.State, @case.Level, @case.UnitId, @case.Version));
        Assert.Equal((VillageMediator.StaffId, (long?)VillageMediator.StaffId), (@case.FirstResponsibleId, @case.OwnerId));
        var registered = Assert.Single(@case.NewEvents);
        Assert.Equal(("register", null, "pending", 1), (registered.Action, registered.FromState, registered.ToState, registered.Sequence));
        Assert.Empty(@case.NewNotices);
    }

    [Theory]
    [InlineData(5, 1000, RiskLevel.Low)]
    [InlineData(2, 600000, RiskLevel.Low)]
    [InlineData(2, 1000, RiskLevel.High)]
    public void MajorDispute_StartsAtTheCenter_AndTellsTheRolesTheRuleNames(int parties, int amount, RiskLevel risk)
    {
        var @case = Register(Facts(parties, amount, risk));

        Assert.True(@case.IsMajor);
        Assert.Equal(("center", Center.Id), (@case.Level, @case.UnitId));
        Assert.Null(@case.OwnerId);
        Assert.Equal(Workflow.MajorDispute.Notify.Order(), @case.NewNotices.Select(n => n.RecipientRole).Order());
    }

    [Fact]
    public void Escalate_MovesTheCaseToTheParentUnit_AndTheReceivingUnitMustAcceptIt()
    {
        var @case = Register();
        @case.Accept(Workflow, Calendar, VillageMediator, 1, Now);

        @case.Escalate(Workflow, Calendar, VillageMediator, 2, "双方分歧大", Station, Now.AddDays(2));

        Assert.Equal(("pending", "station", Station.Id, Station.Path), (@case.State, @case.Level, @case.UnitId, @case.UnitPath));
        Assert.Null(@case.OwnerId);
        Assert.Equal(VillageMediator.StaffId, @case.FirstResponsibleId);
        var escalated = @case.NewEvents[^1];
        Assert.Equal(("accepted", "village", Village.Id, "pending", "station", Station.Id),
            (escalated.FromState, escalated.FromLevel, escalated.FromUnitId, escalated.ToState, escalated.Level, escalated.UnitId));
        Assert.Equal(Now.AddDays(2).Date.AddDays(16).AddHours(-8), @case.DeadlineAt);
    }

    [Fact]
    public void Escalate_ToAUnitThatIsNotAbove_IsRefused()
    {
        var @case = Register();
        @case.Accept(Workflow, Calendar, VillageMediator, 1, Now);

        var refused = Assert.Throws<CaseInputException>(() => @case.Escalate(Workflow, Calendar, VillageMediator, 2, "理由", OtherStation, Now));
        Assert.Equal("unit", refused.Field);
        Assert.Equal(("accepted", 2), (@case.State, @case.Version));
    }

    [Fact]
    public void ActionNotAllowed_NamesTheStateAndWhatIsAllowed()
    {
        var @case = Register();

        var refused = Assert.Throws<TransitionNotAllowedException>(() => @case.Close(Workflow, Calendar, VillageMediator, 1, new ClosingFeedback("电话", "告知"), Now));

        Assert.Equal(("pending", "close"), (refused.State, refused.Action));
        Assert.Equal(["accept", "decline", "withdraw", "suspend"], refused.AllowedActions);
        Assert.Single(@case.NewEvents);
    }

    [Fact]
    public void StaleVersion_IsAConcurrentEdit()
    {
        var @case = Register();
        @case.Accept(Workflow, Calendar, VillageMediator, 1, Now);

        var conflict = Assert.Throws<ConcurrentEditException>(() => @case.Decline(Workflow, Calendar, StationMediator, 1, "重复", Now));
        Assert.Equal((1, 2), (conflict.ExpectedVersion, conflict.ActualVersion));
    }

    [Fact]
    public void Agreement_NotAcceptedByTheParties_DoesNotSettle()
    {
        var @case = Register();
        @case.Accept(Workflow, Calendar, VillageMediator, 1, Now);
        @case.RecordSession(Workflow, Calendar, VillageMediator, 2, new SessionRecord(Now, "调解室", "双方", "协商"), Now);

        var refused = Assert.Throws<CaseInputException>(() =>
            @case.Resolve(Workflow, Calendar, VillageMediator, 3, new AgreementTerms("补偿", false, []), Now));
        Assert.Equal("acceptedByParties", refused.Field);
        Assert.Equal("mediating", @case.State);
    }

    [Theory]
    [InlineData(9999, 12, 30)]
    [InlineData(2036, 3, 3)]
    public void Agreement_DueBeyondTenYears_IsRefused_SoTheCaseCanStillBeClosed(int year, int month, int day)
    {
        var @case = Register();
        @case.Accept(Workflow, Calendar, VillageMediator, 1, Now);
        @case.RecordSession(Workflow, Calendar, VillageMediator, 2, new SessionRecord(Now, "调解室", "双方", "协商"), Now);

        var refused = Assert.Throws<CaseInputException>(() =>
            @case.Resolve(Workflow, Calendar, VillageMediator, 3, new AgreementTerms("分期补偿", true, [new DateOnly(2026, 6, 1), new DateOnly(year, month, day)]), Now));
        Assert.Equal("dueDates", refused.Field);
        Assert.Equal("mediating", @case.State);
        @case.Resolve(Workflow, Calendar, VillageMediator, 3, new AgreementTerms("分期补偿", true, [new DateOnly(2026, 6, 1), new DateOnly(2036, 3, 1)]), Now);
    }

    [Fact]
    public void History_ReplaysToTheCase_AndRefusesAGap()
    {
        var @case = Register();
        @case.Accept(Workflow, Calendar, VillageMediator, 1, Now);
        @case.RecordSession(Workflow, Calendar, VillageMediator, 2, new SessionRecord(Now, "调解室", "双方", "协商"), Now);
        @case.RecordFailure(Workflow, Calendar, VillageMediator, 3, "不同意", Now);
        @case.Escalate(Workflow, Calendar, VillageMediator, 4, "上报", Station, Now);

        Assert.Equal(new CaseSnapshot("pending", "station", Station.Id, null, 5), CaseHistory.Replay(@case.NewEvents));
        Assert.Throws<InvalidOperationException>(() => CaseHistory.Replay(@case.NewEvents.Where(e => e.Sequence != 3)));
    }

    [Theory]
    [InlineData("13905318842", "*******8842")]
    [InlineData("0531-8888000", "********8000")]
    [InlineData("0531-88886666", "*********6666")]
    [InlineData("+86 139 0531 8842", "*************8842")]
    [InlineData("12345", "*****")]
    public void Phone_IsMasked_ShowingAtMostItsLastFourDigits(string phone, string masked) => Assert.Equal(masked, PersonalData.MaskPhone(phone));

    [Fact]
    public void IdNumber_IsMaskedKeepingOnlyItsEnds() => Assert.Equal("3701**********4213", PersonalData.MaskIdNumber("370102198803154213"));
}
