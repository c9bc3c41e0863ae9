using System.Text.Json;
using Mediation.Domain.Cases.Policies;
using Mediation.Domain.Deadlines;
using Mediation.Domain.FollowUps;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using Mediation.Workflows.Actions;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Engine;
using Mediation.Workflows.Time;

namespace Mediation.Domain.Cases;

/// <summary>What is registered about a dispute.</summary>
public sealed record DisputeFacts(
    IntakeChannel Channel,
    DisputeCategory Category,
    string Summary,
    string? Description,
    decimal? AmountInDispute,
    RiskLevel RiskLevel,
    RiskSignals RiskSignals,
    IReadOnlyList<Party> Parties);

public sealed record SessionRecord(DateTime HeldAt, string Place, string Attendees, string Summary);

public sealed record AgreementTerms(string Terms, bool AcceptedByParties, IReadOnlyList<DateOnly> DueDates);

public sealed record Referral(ReferralTarget Target, string ReceivingBody, string Reason);

/// <summary>办结反馈: how and what the applicant was told when the case was closed.</summary>
public sealed record ClosingFeedback(string Method, string Summary);

/// <summary>
/// 纠纷案件: the aggregate. It keeps its facts, parties, agreements and sessions, asks the
/// <see cref="TransitionEngine"/> what a transition does, and appends one immutable <see cref="CaseEvent"/> per change.
/// Timers, notices and follow-ups come from the policies reacting to what it raised. Nothing outside changes its state.
/// </summary>
public sealed partial class DisputeCase
{
    private static readonly JsonSerializerOptions PayloadJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly List<Party> _parties = [];
    private readonly List<MediationSession> _sessions = [];
    private readonly List<Agreement> _agreements = [];
    private readonly List<FollowUpVisit> _cancelledFollowUps = [];
    private readonly List<CaseEvent> _newEvents = [];
    private readonly List<Notice> _newNotices = [];
    private readonly List<CaseTimer> _newTimers = [];
    private readonly List<FollowUpVisit> _newFollowUps = [];

    private DisputeCase()
    {
        CaseNumber = WorkflowKey = State = Level = UnitPath = Summary = "";
    }

    public long Id { get; private set; }
    public string CaseNumber { get; private set; }
    public string WorkflowKey { get; private set; }
    public int WorkflowVersion { get; private set; }
    public string State { get; private set; }
    public string Level { get; private set; }
    public string? Outcome { get; private set; }
    public long UnitId { get; private set; }

    /// <summary>The holding unit's path, copied so that a subtree's cases are one index range.</summary>
    public string UnitPath { get; private set; }

    /// <summary>首问负责: who received the dispute; they answer for it until it is handed over.</summary>
    public long FirstResponsibleId { get; private set; }

    /// <summary>The mediator handling it at its current level; empty while the receiving unit has not accepted it.</summary>
    public long? OwnerId { get; private set; }
    public IntakeChannel Channel { get; private set; }
    public DisputeCategory Category { get; private set; }
    public string Summary { get; private set; }
    public string? Description { get; private set; }
    public decimal? AmountInDispute { get; private set; }
    public RiskLevel RiskLevel { get; private set; }
    public RiskSignals RiskSignals { get; private set; }
    public bool IsMajor { get; private set; }
    public int PartyCount { get; private set; }

    /// <summary>Denormalized for list display and search; names are not masked data.</summary>
    public string ApplicantName { get; private set; } = "";
    public DateTime RegisteredAt { get; private set; }
    public DateTime LevelEnteredAt { get; private set; }

    /// <summary>When the current level's time limit runs out; null while the clock does not run (settled, closed).</summary>
    public DateTime? DeadlineAt { get; private set; }
    public DateTime? ClosedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    /// <summary>Set while the level's clock is stopped; <see cref="PausedMinutes"/> is what was left of the limit.</summary>
    public DateTime? SuspendedAt { get; private set; }
    public int? PausedMinutes { get; private set; }
    public bool IsSuspended => SuspendedAt is not null;
    public bool IsOpen => ClosedAt is null;

    /// <summary>Concurrency token: each change adds one, and equals the last event's sequence.</summary>
    public int Version { get; private set; }

    public IReadOnlyList<Party> Parties => _parties;
    public IReadOnlyList<MediationSession> Sessions => _sessions;

    /// <summary>Every agreement the case was settled with, oldest first; a reopened case settled again supersedes the earlier one.</summary>
    public IReadOnlyList<Agreement> Agreements => _agreements;

    /// <summary>The agreement in force: the latest one not superseded.</summary>
    public Agreement? Agreement => _agreements.LastOrDefault(a => a.SupersededAt is null);

    /// <summary>Events raised since load; persistence appends them in the same transaction.</summary>
    public IReadOnlyList<CaseEvent> NewEvents => _newEvents;
    public IReadOnlyList<Notice> NewNotices => _newNotices;
    public IReadOnlyList<CaseTimer> NewTimers => _newTimers;
    public IReadOnlyList<FollowUpVisit> NewFollowUps => _newFollowUps;
    public IReadOnlyList<FollowUpVisit> CancelledFollowUps => _cancelledFollowUps;

    /// <summary>The unit above the holding unit, read off the path; null at the top.</summary>
    public long? ParentUnitId
    {
        get
        {
            var ids = UnitPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            return ids.Length < 2 ? null : long.Parse(ids[^2], System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public bool IsOverdue(DateTime nowUtc) => DeadlineAt is { } deadline && deadline <= nowUtc;

    public void ClearNewEvents()
    {
        _newEvents.Clear();
        _newNotices.Clear();
        _newTimers.Clear();
        _newFollowUps.Clear();
        _cancelledFollowUps.Clear();
    }

    /// <summary>
    /// Registers a dispute at the actor's unit, or, when the reporting rule marks it major, at the street center,
    /// telling the roles the rule names.
    /// </summary>
    public static DisputeCase Register(
        WorkflowDefinition workflow,
        WorkingDayCalendar calendar,
        long id,
        string caseNumber,
        Actor actor,
        OrgUnit actorUnit,
        OrgUnit streetCenter,
        DisputeFacts facts,
        DateTime nowUtc)
    {
        var registration = workflow.Registration;
        if (!registration.AllowsRole(actor.Role))
            throw new RoleNotAllowedException(actor.Role, registration.Action);
        if (facts.Parties.Count == 0 || !facts.Parties.Any(p => p.Role == PartyRole.Applicant))
            throw new CaseInputException("parties", "A dispute needs at least one applicant.", "至少需要一名申请人。");

        var isMajor = workflow.MajorDispute.IsMetBy(facts.Parties.Count, facts.AmountInDispute, RiskLevelNames.Of(facts.RiskLevel));
        var (level, unit) = isMajor
            ? (workflow.Level(workflow.MajorDispute.StartLevel), streetCenter)
            : (workflow.LevelForUnitKind(actorUnit.Kind), actorUnit);
        if (level is null)
            throw new CaseInputException("unit", $"Unit '{actorUnit.Name}' ({actorUnit.Kind}) works at no level of {workflow}; disputes are registered at mediation units.", $"单位“{actorUnit.Name}”不在本流程的任何调解层级，纠纷须在调解单位登记。");
        if (isMajor && level.UnitKind != streetCenter.Kind)
            throw new CaseInputException("unit", $"The major-dispute start level '{level.Id}' is not worked by the street center.", $"重大纠纷起始层级“{level.Id}”不由街道矛调中心办理。");

        var @case = new DisputeCase
        {
            Id = id,
            CaseNumber = caseNumber,
            WorkflowKey = workflow.Key,
            WorkflowVersion = workflow.Version,
            Level = level.Id,
            UnitId = unit.Id,
            UnitPath = unit.Path,
            FirstResponsibleId = actor.StaffId,
            OwnerId = unit.Id == actor.UnitId ? actor.StaffId : null,
            Channel = facts.Channel,
            Category = facts.Category,
            Summary = facts.Summary.Trim(),
            Description = facts.Description?.Trim(),
            AmountInDispute = facts.AmountInDispute,
            RiskLevel = facts.RiskLevel,
            RiskSignals = facts.RiskSignals,
            IsMajor = isMajor,
            PartyCount = facts.Parties.Count,
            ApplicantName = facts.Parties.First(p => p.Role == PartyRole.Applicant).Name,
            RegisteredAt = nowUtc,
        };
        @case._parties.AddRange(facts.Parties);
        var context = new PolicyContext(@case, calendar, nowUtc);
        @case.Take(TransitionEngine.Start(workflow, calendar, level, nowUtc), context);
        @case.Raise(new CaseRegistered(isMajor, workflow.MajorDispute.Notify, workflow.Clock.ProgressNoticeEveryDays), context);
        @case.Record(registration.Action, null, null, null, actor, nowUtc, new
        {
            channel = facts.Channel,
            category = facts.Category,
            partyCount = facts.Parties.Count,
            amount = facts.AmountInDispute,
            riskLevel = facts.RiskLevel,
            riskSignals = facts.RiskSignals,
            major = isMajor,
            registeredAtUnitId = actorUnit.Id,
        });
        return @case;
    }

    public void Accept(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.Accept, actor, expectedVersion);
        OwnerId = actor.StaffId;
        Fire(workflow, calendar, transition, actor, nowUtc, new { ownerId = actor.StaffId });
    }

    public void Decline(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, string reason, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.Decline, actor, expectedVersion);
        Fire(workflow, calendar, transition, actor, nowUtc, new { reason = Required(reason, "reason") });
    }

    public void RecordSession(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, SessionRecord session, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.RecordSession, actor, expectedVersion);
        if (session.HeldAt > nowUtc.AddMinutes(5))
            throw new CaseInputException("heldAt", "A session cannot be recorded before it is held.", "调解尚未进行，不能提前记录。");
        _sessions.Add(new MediationSession(session.HeldAt, Required(session.Place, "place"), session.Attendees.Trim(), Required(session.Summary, "summary"), actor.StaffId, UnitId));
        OwnerId ??= actor.StaffId;
        Fire(workflow, calendar, transition, actor, nowUtc, new { heldAt = session.HeldAt, place = session.Place, attendees = session.Attendees, summary = session.Summary });
    }

    public const int MaxYearsToPerform = 10;

    public void Resolve(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, AgreementTerms terms, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.Resolve, actor, expectedVersion);
        if (!terms.AcceptedByParties)
            throw new CaseInputException("acceptedByParties", "An agreement settles a dispute only when the parties accept it.", "调解协议须经双方当事人签字确认，纠纷方可调解成功。");
        if (terms.DueDates.Any(d => d < WorkingDayCalendar.ChinaDate(nowUtc)))
            throw new CaseInputException("dueDates", "A due date for performance cannot lie in the past.", "履行期限不能早于今天。");
        // A date centuries ahead keeps the case waiting for a follow-up that never comes: it could never be closed.
        if (terms.DueDates.Any(d => d > WorkingDayCalendar.ChinaDate(nowUtc).AddYears(MaxYearsToPerform)))
            throw new CaseInputException("dueDates", $"A due date for performance must lie within {MaxYearsToPerform} years.", $"协议履行期限须在 {MaxYearsToPerform} 年以内。");
        var superseded = Agreement;
        var agreement = new Agreement(Required(terms.Terms, "terms"), terms.AcceptedByParties, terms.DueDates, nowUtc);
        superseded?.Supersede(nowUtc);
        _agreements.Add(agreement);
        Fire(workflow, calendar, transition, actor, nowUtc, new { terms = terms.Terms, dueDates = terms.DueDates, supersedesAgreementId = superseded?.Id });
    }

    public void RecordFailure(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, string reason, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.RecordFailure, actor, expectedVersion);
        Fire(workflow, calendar, transition, actor, nowUtc, new { reason = Required(reason, "reason") });
    }

    /// <summary>Hands the case up to <paramref name="parentUnit"/>, which works at the level above; the receiving unit accepts it anew.</summary>
    public void Escalate(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, string reason, OrgUnit parentUnit, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.Escalate, actor, expectedVersion);
        var above = workflow.LevelAbove(Level)!;
        if (parentUnit.Kind != above.UnitKind || !UnitPath.StartsWith(parentUnit.Path, StringComparison.Ordinal))
            throw new CaseInputException("unit", $"Unit '{parentUnit.Name}' is not the {above.UnitKind} above this case's unit.", $"单位“{parentUnit.Name}”不是本案承办单位的上级单位。");
        var (fromState, fromLevel, fromUnitId, fromOwnerId) = (State, Level, UnitId, OwnerId);
        var why = Required(reason, "reason");
        UnitId = parentUnit.Id;
        UnitPath = parentUnit.Path;
        OwnerId = null;
        Take(TransitionEngine.Fire(workflow, calendar, Position, transition, nowUtc), new PolicyContext(this, calendar, nowUtc));
        Record(transition.Action, fromState, fromLevel, fromUnitId, actor, nowUtc, new { reason = why, fromOwnerId, firstResponsibleId = FirstResponsibleId, toUnitId = parentUnit.Id });
    }

    public void ReferOut(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, Referral referral, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.ReferOut, actor, expectedVersion);
        Fire(workflow, calendar, transition, actor, nowUtc, new { target = referral.Target, receivingBody = Required(referral.ReceivingBody, "receivingBody"), reason = Required(referral.Reason, "reason") });
    }

    public void Withdraw(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, string reason, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.Withdraw, actor, expectedVersion);
        Fire(workflow, calendar, transition, actor, nowUtc, new { reason = Required(reason, "reason") });
    }

    public void Close(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, ClosingFeedback feedback, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.Close, actor, expectedVersion);
        ClosedAt = nowUtc;
        Fire(workflow, calendar, transition, actor, nowUtc, new { method = Required(feedback.Method, "method"), summary = Required(feedback.Summary, "summary") });
    }

    /// <summary>
    /// Takes a closed matter up again (an unsatisfied follow-up, a broken agreement); the level's clock starts anew and
    /// the visits still planned for the closing that no longer stands are cancelled, with the reason.
    /// </summary>
    public void Reopen(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, string reason,
        IReadOnlyList<FollowUpVisit> plannedVisits, DateTime nowUtc)
    {
        var transition = Transition(workflow, CaseActions.Reopen, actor, expectedVersion);
        var why = Required(reason, "reason");
        if (plannedVisits.Any(v => v.CaseId != Id))
            throw new CaseInputException("followUpId", $"A follow-up visit given does not belong to case {CaseNumber}.", $"所给回访不属于案件 {CaseNumber}。");
        ClosedAt = null;
        OwnerId ??= actor.StaffId;
        var context = new PolicyContext(this, calendar, nowUtc);
        var alreadyCancelled = _cancelledFollowUps.Count;
        Raise(new CaseReopened(why, plannedVisits), context);
        var cancelled = _cancelledFollowUps.Skip(alreadyCancelled).ToList();
        Fire(workflow, calendar, transition, actor, nowUtc, new { reason = why, cancelledFollowUpIds = cancelled.Select(v => v.Id).ToList() });
    }

    /// <summary>
    /// Fires an action the definition adds that needs no input of its own (a new state such as "awaiting appraisal"),
    /// so that adding such a state is a JSON edit with no code change.
    /// </summary>
    public void TakeAction(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, string action, string? note, DateTime nowUtc)
    {
        var transition = Transition(workflow, action, actor, expectedVersion, inputs: []);
        if (transition.Effect != TransitionEffect.None)
            throw NeedsItsOwnCommand(action, transition.Requires);
        Fire(workflow, calendar, transition, actor, nowUtc, new { note });
    }

    /// <summary>
    /// The level's time limit has passed (a timer fired): hand the case up to <paramref name="parentUnit"/> when the level
    /// says so, else flag it and remind the owner, the holding unit and the unit above. Answers whether it moved.
    /// </summary>
    public bool ExpireLevel(WorkflowDefinition workflow, WorkingDayCalendar calendar, OrgUnit? parentUnit, DateTime nowUtc)
    {
        var level = workflow.Level(Level);
        var context = new PolicyContext(this, calendar, nowUtc);
        var above = TransitionEngine.EscalationOnExpiry(workflow, Position);
        if (above is not null && parentUnit is not null && parentUnit.Kind == above.UnitKind)
        {
            var system = Actor.SystemAt(UnitId, UnitPath);
            var (fromState, fromLevel, fromUnitId, fromOwnerId) = (State, Level, UnitId, OwnerId);
            UnitId = parentUnit.Id;
            UnitPath = parentUnit.Path;
            OwnerId = null;
            Take(TransitionEngine.EscalateOnExpiry(workflow, calendar, Position, nowUtc), context);
            Record(CaseActions.EscalateOnExpiry, fromState, fromLevel, fromUnitId, system, nowUtc,
                new { reason = $"{level.Title.Zh}办理时限届满", fromOwnerId, firstResponsibleId = FirstResponsibleId, toUnitId = parentUnit.Id });
            Raise(new LevelTimeLimitPassed(level, Escalated: true), context);
            return true;
        }

        Raise(new LevelTimeLimitPassed(level, Escalated: false), context);
        return false;
    }

    /// <summary>The receiving unit has not accepted the case in time: remind it and the unit above.</summary>
    public void RemindAcceptanceOverdue(DateTime nowUtc) =>
        Raise(new AcceptanceOverdue(), new PolicyContext(this, WorkingDayCalendar.WeekdaysOnly, nowUtc));

    /// <summary>首问负责: remind whoever answers for the case to tell the applicant how it goes, and set the next reminder.</summary>
    public void RemindProgressNotice(WorkflowDefinition workflow, DateTime nowUtc) =>
        Raise(new ProgressNoticeDue(workflow.Clock.ProgressNoticeEveryDays), new PolicyContext(this, WorkingDayCalendar.WeekdaysOnly, nowUtc));

    /// <summary>Stops the level's clock (a party unreachable, an appraisal awaited); what is left of the limit is kept.</summary>
    public void Suspend(WorkflowDefinition workflow, Actor actor, int expectedVersion, string reason, DateTime nowUtc)
    {
        CheckClockChange(workflow, actor, expectedVersion, CaseActions.Suspend);
        var why = Required(reason, "reason");
        var (fromState, fromLevel, fromUnit) = (State, Level, UnitId);
        Take(TransitionEngine.Suspend(Position, nowUtc), new PolicyContext(this, WorkingDayCalendar.WeekdaysOnly, nowUtc));
        Record(CaseActions.Suspend, fromState, fromLevel, fromUnit, actor, nowUtc, new { reason = why, remainingMinutes = PausedMinutes });
    }

    /// <summary>Starts the clock again: the deadline moves on by exactly the time spent suspended.</summary>
    public void Resume(WorkflowDefinition workflow, Actor actor, int expectedVersion, DateTime nowUtc)
    {
        CheckClockChange(workflow, actor, expectedVersion, CaseActions.Resume);
        var (fromState, fromLevel, fromUnit) = (State, Level, UnitId);
        var suspendedFor = nowUtc - SuspendedAt!.Value;
        Take(TransitionEngine.Resume(Position, nowUtc), new PolicyContext(this, WorkingDayCalendar.WeekdaysOnly, nowUtc));
        Record(CaseActions.Resume, fromState, fromLevel, fromUnit, actor, nowUtc, new { suspendedMinutes = (int)suspendedFor.TotalMinutes, deadlineAt = DeadlineAt });
    }

    /// <summary>
    /// 回访 recorded: satisfaction and performance go into the history; an unsatisfied applicant or an unperformed
    /// agreement takes a closed matter up again when the definition says so. Answers whether it reopened.
    /// </summary>
    public bool RecordFollowUp(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, FollowUpVisit visit,
        IReadOnlyList<FollowUpVisit> otherVisits, string method, Satisfaction satisfaction, Performance performance, string? notes, DateTime nowUtc)
    {
        if (expectedVersion != Version)
            throw new ConcurrentEditException(CaseNumber, expectedVersion, Version);
        if (visit.CaseId != Id)
            throw new CaseInputException("followUpId", $"That follow-up visit does not belong to case {CaseNumber}.", $"该回访不属于案件 {CaseNumber}。");
        var recorders = workflow.Transitions.FirstOrDefault(t => t.Action == CaseActions.Close)?.Roles ?? [];
        if (!recorders.Contains(actor.Role, StringComparer.Ordinal))
            throw new RoleNotAllowedException(actor.Role, "recordFollowUp");

        var unsatisfied = visit.Record(actor.StaffId, Required(method, "method"), satisfaction, performance, notes?.Trim(), nowUtc);
        Record("recordFollowUp", State, Level, UnitId, actor, nowUtc, new { followUpId = visit.Id, reason = visit.Reason, method, satisfaction, performance });
        var reopen = unsatisfied
            && workflow.FollowUps.Any(r => r.ReopenOnUnsatisfied)
            && workflow.TransitionsFrom(State, Level).Any(t => t.Action == CaseActions.Reopen);
        if (reopen)
        {
            var finding = satisfaction == Satisfaction.Unsatisfied ? "申请人不满意" : "协议未履行";
            Reopen(workflow, calendar, actor, Version, $"回访: {finding}", otherVisits.Where(v => !ReferenceEquals(v, visit)).ToList(), nowUtc);
        }
        return reopen;
    }

    /// <summary>
    /// What the actor may do now: the definition's transitions from here, and suspend or resume where the clock runs
    /// and the actor's role may stop it.
    /// </summary>
    public IReadOnlyList<string> AllowedActions(WorkflowDefinition workflow, string role)
    {
        var actions = workflow.AllowedActions(State, Level, role).ToList();
        if (workflow.Clock.SuspendRoles.Contains(role, StringComparer.Ordinal) && workflow.State(State).ClockRuns)
        {
            if (IsSuspended)
                actions.Add(CaseActions.Resume);
            else if (DeadlineAt is not null)
                actions.Add(CaseActions.Suspend);
        }
        return actions;
    }

    /// <summary>The case as its workflow sees it; what the engine reads.</summary>
    public CasePosition Position => new(WorkflowKey, WorkflowVersion, Version, State, Level, Outcome, LevelEnteredAt, DeadlineAt, SuspendedAt, PausedMinutes);

    private void CheckClockChange(WorkflowDefinition workflow, Actor actor, int expectedVersion, string action)
    {
        if (TransitionEngine.GuardClock(workflow, Position, new TransitionRequest(action, actor.Role, expectedVersion, [])) is { } refusal)
            throw Refused(workflow, actor, expectedVersion, refusal);
    }

    // A change leaves a line in the history, whether or not it moved the state (suspend, resume).
    private void Record(string action, string? fromState, string? fromLevel, long? fromUnit, Actor actor, DateTime nowUtc, object payload)
    {
        Version++;
        UpdatedAt = nowUtc;
        _newEvents.Add(new CaseEvent(this, action, fromState, fromState is null ? null : fromLevel, fromState is null ? null : fromUnit, actor, nowUtc, JsonSerializer.Serialize(payload, PayloadJson)));
    }

    // The command for a named action carries what the action table says it does; TakeAction carries nothing.
    private TransitionDefinition Transition(WorkflowDefinition workflow, string action, Actor actor, int expectedVersion, IReadOnlyCollection<RequiredInput>? inputs = null)
    {
        var guard = TransitionEngine.Guard(workflow, Position, new TransitionRequest(action, actor.Role, expectedVersion, inputs ?? CaseActions.For(action).Inputs));
        return guard.Transition ?? throw Refused(workflow, actor, expectedVersion, guard.Refusal!);
    }

    private Exception Refused(WorkflowDefinition workflow, Actor actor, int expectedVersion, TransitionRefusal refusal) => refusal.Reason switch
    {
        RefusalReason.OtherDefinition => new InvalidOperationException($"Case {CaseNumber} runs on {WorkflowKey} v{WorkflowVersion}, not {workflow}."),
        RefusalReason.StaleVersion => new ConcurrentEditException(CaseNumber, expectedVersion, Version),
        RefusalReason.RoleNotAllowed => new RoleNotAllowedException(actor.Role, refusal.Action),
        RefusalReason.MissingInput => NeedsItsOwnCommand(refusal.Action, workflow.TransitionsFrom(State, Level).First(t => t.Action == refusal.Action).Requires),
        _ => new TransitionNotAllowedException(CaseNumber, State, Level, refusal.Action, AllowedActions(workflow, actor.Role)),
    };

    private static CaseInputException NeedsItsOwnCommand(string action, IReadOnlyList<RequiredInput> requires) =>
        new("action", $"'{action}' needs {string.Join(", ", requires)}; use its own command.", $"操作“{action}”需要填写其他内容，请使用其专门的表单。");

    private void Fire(WorkflowDefinition workflow, WorkingDayCalendar calendar, TransitionDefinition transition, Actor actor, DateTime nowUtc, object payload)
    {
        var (fromState, fromLevel, fromUnitId) = (State, Level, UnitId);
        Take(TransitionEngine.Fire(workflow, calendar, Position, transition, nowUtc), new PolicyContext(this, calendar, nowUtc));
        Record(transition.Action, fromState, fromLevel, fromUnitId, actor, nowUtc, payload);
    }

    // Applies what the engine answered, then lets the policies react to each event in the order it happened.
    private void Take(WorkflowStep step, PolicyContext context)
    {
        (State, Level, Outcome) = (step.Position.State, step.Position.Level, step.Position.Outcome);
        (LevelEnteredAt, DeadlineAt, SuspendedAt, PausedMinutes) = (step.Position.LevelEnteredAt, step.Position.DeadlineAt, step.Position.SuspendedAt, step.Position.PausedMinutes);
        foreach (var happened in step.Events)
            Raise(happened, context);
    }

    // The one place policies run: inside the change, so what they schedule is saved in the same transaction.
    private void Raise(object happened, PolicyContext context)
    {
        _newTimers.AddRange(TimerPolicy.On(happened, context));
        _newNotices.AddRange(NoticePolicy.On(happened, context));
        _newFollowUps.AddRange(FollowUpPolicy.Plan(happened, context));
        _cancelledFollowUps.AddRange(FollowUpPolicy.Cancel(happened, context));
    }

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new CaseInputException(field, $"'{field}' is required.", $"“{field}”为必填项。") : value.Trim();
}
