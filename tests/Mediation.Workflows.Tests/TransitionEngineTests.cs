using Mediation.Workflows.Definitions;
using Mediation.Workflows.Engine;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Time;

namespace Mediation.Workflows.Tests;

public class TransitionEngineTests
{
    private static readonly WorkflowDefinition Workflow = WorkflowLoader.LoadDirectory(ShippedDefinition.Folder).Latest("mediation-1-9-n");
    private static readonly WorkingDayCalendar Calendar = WorkingDayCalendar.WeekdaysOnly;

    // Monday 2 March 2026, 09:00 in China.
    private static readonly DateTime Now = new(2026, 3, 2, 1, 0, 0, DateTimeKind.Utc);

    private static DateTime EndOfChinaDay(int month, int day) => WorkingDayCalendar.EndOfChinaDay(new DateOnly(2026, month, day));

    private static CasePosition Registered() => TransitionEngine.Start(Workflow, Calendar, Workflow.Level("village"), Now).Position;

    private static CasePosition At(string state, string level = "village", int version = 3) =>
        Registered() with { State = state, Level = level, Version = version };

    private static WorkflowStep Fire(CasePosition position, string action, string role, DateTime at, IReadOnlyCollection<RequiredInput>? inputs = null)
    {
        var guard = TransitionEngine.Guard(Workflow, position, new TransitionRequest(action, role, position.Version, inputs ?? Actions.CaseActions.For(action).Inputs));
        Assert.True(guard.Allowed, $"{action} refused: {guard.Refusal}");
        return TransitionEngine.Fire(Workflow, Calendar, position, guard.Transition!, at);
    }

    [Fact]
    public void Start_EntersTheLevel_AndSetsTheLevelsDeadlineAndTheAcceptanceDeadline()
    {
        var step = TransitionEngine.Start(Workflow, Calendar, Workflow.Level("village"), Now);

        Assert.Equal(("pending", "village", Now), (step.Position.State, step.Position.Level, step.Position.LevelEnteredAt));
        Assert.Equal([typeof(LevelEntered), typeof(StateChanged), typeof(DeadlineSet), typeof(AcceptanceExpected), typeof(ReachedState)], step.Events.Select(e => e.GetType()));
        // Seven calendar days, the last one lasting all day; acceptance within two working days.
        Assert.Equal(new DeadlineSet("village", EndOfChinaDay(3, 9)), step.Events.OfType<DeadlineSet>().Single());
        Assert.Equal(new AcceptanceExpected("village", EndOfChinaDay(3, 4)), step.Events.OfType<AcceptanceExpected>().Single());
        Assert.Null(step.Events.OfType<StateChanged>().Single().From);
    }

    public static TheoryData<string, CasePosition, string, string, RequiredInput[], RefusalReason> Refusals => new()
    {
        { "pinned to another version", At("accepted") with { WorkflowVersion = 999 }, "recordFailure", "villageMediator", [RequiredInput.Reason], RefusalReason.OtherDefinition },
        { "read an older version", At("accepted", version: 3), "decline", "villageMediator", [RequiredInput.Reason], RefusalReason.StaleVersion },
        { "no close from pending", At("pending"), "close", "villageMediator", [RequiredInput.ClosingFeedback], RefusalReason.NotFromHere },
        { "no escalation from the top", At("mediating", "center"), "escalate", "stationMediator", [RequiredInput.Reason], RefusalReason.NotFromHere },
        { "refer out only at the center", At("failed", "village"), "referOut", "centerMediator", [RequiredInput.Referral], RefusalReason.NotFromHere },
        { "grid worker cannot accept", At("pending"), "accept", "gridWorker", [], RefusalReason.RoleNotAllowed },
        { "decline without a reason", At("pending"), "decline", "villageMediator", [], RefusalReason.MissingInput },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Guard_RefusesWhatTheDefinitionDoesNotAllow(string why, CasePosition position, string action, string role, RequiredInput[] inputs, RefusalReason expected)
    {
        var expectedVersion = expected == RefusalReason.StaleVersion ? position.Version - 1 : position.Version;

        var guard = TransitionEngine.Guard(Workflow, position, new TransitionRequest(action, role, expectedVersion, inputs));

        Assert.False(guard.Allowed, why);
        Assert.Equal(new TransitionRefusal(expected, action), guard.Refusal);
        Assert.Null(guard.Transition);
    }

    [Fact]
    public void Escalate_EntersTheLevelAbove_WhoseClockAndAcceptanceStartAtTheHandOver()
    {
        var handedUp = Now.AddDays(2);

        var step = Fire(At("accepted", version: 2), "escalate", "villageMediator", handedUp);

        Assert.Equal(("pending", "station", handedUp), (step.Position.State, step.Position.Level, step.Position.LevelEnteredAt));
        Assert.Contains(new LevelEntered("station", handedUp), step.Events);
        // Fifteen calendar days from Wednesday 4 March; acceptance within two working days (Thursday, Friday).
        Assert.Equal(EndOfChinaDay(3, 19), step.Position.DeadlineAt);
        Assert.Contains(new DeadlineSet("station", EndOfChinaDay(3, 19)), step.Events);
        Assert.Contains(new AcceptanceExpected("station", EndOfChinaDay(3, 6)), step.Events);
    }

    [Fact]
    public void ATransitionThatKeepsTheDeadline_SetsNoNewOne()
    {
        var step = Fire(At("pending", version: 1) with { DeadlineAt = EndOfChinaDay(3, 9) }, "accept", "villageMediator", Now.AddHours(1));

        Assert.Equal("accepted", step.Position.State);
        Assert.Empty(step.Events.OfType<DeadlineSet>());
        Assert.Empty(step.Events.OfType<AcceptanceExpected>());
    }

    [Fact]
    public void Settling_StopsTheClock_AndClosingKeepsTheOutcome_MeetingTheFollowUpRule()
    {
        var settled = Fire(At("mediating") with { DeadlineAt = EndOfChinaDay(3, 9) }, "resolve", "villageMediator", Now.AddDays(1));

        Assert.Equal(("resolved", "resolved", (DateTime?)null), (settled.Position.State, settled.Position.Outcome, settled.Position.DeadlineAt));
        Assert.Contains(new ClockStopped("village"), settled.Events);
        Assert.Empty(settled.Events.OfType<ReachedState>().Single().FollowUps);

        var closed = Fire(settled.Position, "close", "villageMediator", Now.AddDays(2));

        Assert.Equal(("closed", "resolved"), (closed.Position.State, closed.Position.Outcome));
        Assert.Equal(Workflow.FollowUps, closed.Events.OfType<ReachedState>().Single().FollowUps);
    }

    [Fact]
    public void Reopen_StartsTheLevelsClockAnew_AndForgetsTheOutcome()
    {
        var reopenedAt = Now.AddDays(40);

        var step = Fire(At("closed") with { Outcome = "resolved", DeadlineAt = null }, "reopen", "villageMediator", reopenedAt);

        Assert.Equal(("mediating", (string?)null, reopenedAt), (step.Position.State, step.Position.Outcome, step.Position.LevelEnteredAt));
        Assert.Contains(new LevelEntered("village", reopenedAt), step.Events);
        Assert.Equal(Calendar.Deadline(reopenedAt, Workflow.Level("village").TimeLimit), step.Events.OfType<DeadlineSet>().Single().At);
    }

    [Fact]
    public void SuspendThenResume_MovesTheDeadlineOnByExactlyTheTimeSuspended()
    {
        var running = At("mediating") with { DeadlineAt = EndOfChinaDay(3, 9) };
        var suspendedAt = Now.AddDays(3).AddSeconds(17);

        Assert.Null(TransitionEngine.GuardClock(Workflow, running, new TransitionRequest("suspend", "villageMediator", running.Version, [])));
        var suspended = TransitionEngine.Suspend(running, suspendedAt);
        Assert.Equal((DateTime?)null, suspended.Position.DeadlineAt);
        Assert.Equal(new ClockSuspended("village", suspended.Position.PausedMinutes!.Value), Assert.Single(suspended.Events));

        var resumed = TransitionEngine.Resume(suspended.Position, suspendedAt.AddHours(50));

        Assert.Equal(EndOfChinaDay(3, 9).AddHours(50), resumed.Position.DeadlineAt);
        Assert.Contains(new DeadlineSet("village", EndOfChinaDay(3, 9).AddHours(50)), resumed.Events);
        Assert.False(resumed.Position.IsSuspended);
    }

    [Fact]
    public void ASessionRecordedAfterAResume_KeepsTheDeadlineTheSuspensionMovedOn()
    {
        var running = At("mediating") with { DeadlineAt = EndOfChinaDay(3, 9) };
        var suspendedAt = Now.AddDays(3).AddSeconds(17);
        var resumed = TransitionEngine.Resume(TransitionEngine.Suspend(running, suspendedAt).Position, suspendedAt.AddHours(50));

        var guard = TransitionEngine.Guard(Workflow, resumed.Position, new TransitionRequest("recordSession", "villageMediator", resumed.Position.Version, Actions.CaseActions.For("recordSession").Inputs));
        var step = TransitionEngine.Fire(Workflow, Calendar, resumed.Position, guard.Transition!, suspendedAt.AddHours(51));

        Assert.Equal(EndOfChinaDay(3, 9).AddHours(50), step.Position.DeadlineAt);
        Assert.DoesNotContain(step.Events, e => e is DeadlineSet);
    }

    [Theory]
    [InlineData("resume", "villageMediator", "mediating", RefusalReason.NotFromHere)]
    [InlineData("suspend", "gridWorker", "mediating", RefusalReason.RoleNotAllowed)]
    [InlineData("suspend", "villageMediator", "resolved", RefusalReason.NotFromHere)]
    public void GuardClock_RefusesWhereTheClockCannotBeStoppedOrStarted(string action, string role, string state, RefusalReason expected)
    {
        var position = At(state) with { DeadlineAt = EndOfChinaDay(3, 9) };

        Assert.Equal(new TransitionRefusal(expected, action), TransitionEngine.GuardClock(Workflow, position, new TransitionRequest(action, role, position.Version, [])));
    }

    [Fact]
    public void Expiry_HandsUpBelowTheTop_AndOnlyFlagsAtTheCenter()
    {
        Assert.Equal("station", TransitionEngine.EscalationOnExpiry(Workflow, At("mediating", "village"))?.Id);
        Assert.Null(TransitionEngine.EscalationOnExpiry(Workflow, At("mediating", "center")));

        var step = TransitionEngine.EscalateOnExpiry(Workflow, Calendar, At("mediating", "village"), Now.AddDays(8));

        Assert.Equal(("pending", "station"), (step.Position.State, step.Position.Level));
        Assert.Equal("escalateOnExpiry", step.Events.OfType<StateChanged>().Single().Action);
    }

    [Fact]
    public void LevelDeadline_CountsTheLimitFromEntry_AndAddsTheTimeTheClockStoodStill()
    {
        var limit = new TimeLimit(15, DayCounting.CalendarDays);

        Assert.Equal(EndOfChinaDay(3, 17), LevelClock.Deadline(Calendar, Now, limit));
        Assert.Equal(EndOfChinaDay(3, 17).AddHours(30), LevelClock.Deadline(Calendar, Now, limit, TimeSpan.FromHours(30)));
    }
}

public class WorkflowsArchitectureTests
{
    [Fact]
    public void WorkflowRuntime_ReferencesTheBaseLibraryAlone()
    {
        var references = typeof(TransitionEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, r => Assert.True(r.StartsWith("System", StringComparison.Ordinal) || r == "netstandard", $"Mediation.Workflows references {r}"));
    }
}
