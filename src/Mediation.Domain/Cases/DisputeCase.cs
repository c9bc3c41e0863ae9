using System.Text.Json;
using Mediation.Domain.Deadlines;
using Mediation.Domain.FollowUps;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using Mediation.Workflows.Actions;
using Mediation.Workflows.Definitions;
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
/// 纠纷案件: the aggregate. It guards every transition against its pinned workflow definition, keeps its
/// clock, and appends one immutable <see cref="CaseEvent"/> per change. Nothing outside changes its state.
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
        @case.EnterLevel(level, nowUtc);
        @case.Move(workflow, calendar, registration, null, null, null, actor, nowUtc, new
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

        if (workflow.Clock.ProgressNoticeEveryDays is { } every)
            @case._newTimers.Add(new CaseTimer(id, TimerKind.ProgressNotice, nowUtc.AddDays(every), level.Id, unit.Id));

        if (isMajor)
        {
            foreach (var role in workflow.MajorDispute.Notify)
            {
                @case._newNotices.Add(new Notice(streetCenter.Id, role, id, Notice.Kinds.MajorDisputeReported,
                    $"重大疑难矛盾纠纷 {caseNumber}: {@case.Summary}", nowUtc));
            }
        }
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
        UnitId = parentUnit.Id;
        UnitPath = parentUnit.Path;
        OwnerId = null;
        EnterLevel(above, nowUtc);
        Move(workflow, calendar, transition, fromState, fromLevel, fromUnitId, actor, nowUtc, new { reason = Required(reason, "reason"), fromOwnerId, firstResponsibleId = FirstResponsibleId, toUnitId = parentUnit.Id });
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
        EnterLevel(workflow.Level(Level), nowUtc);
        var cancelled = plannedVisits.Where(v => v.Cancel($"案件已重新调解: {why}", nowUtc)).ToList();
        _cancelledFollowUps.AddRange(cancelled);
        Fire(workflow, calendar, transition, actor, nowUtc, new { reason = why, cancelledFollowUpIds = cancelled.Select(v => v.Id).ToList() });
    }

    /// <summary>
    /// Fires an action the definition adds that needs no input of its own (a new state such as "awaiting appraisal"),
    /// so that adding such a state is a JSON edit with no code change.
    /// </summary>
    public void TakeAction(WorkflowDefinition workflow, WorkingDayCalendar calendar, Actor actor, int expectedVersion, string action, string? note, DateTime nowUtc)
    {
        var transition = Transition(workflow, action, actor, expectedVersion);
        if (transition.Requires.Count > 0 || transition.Effect != TransitionEffect.None)
            throw new CaseInputException("action", $"'{action}' needs {string.Join(", ", transition.Requires)}; use its own command.", $"操作“{action}”需要填写其他内容，请使用其专门的表单。");
        Fire(workflow, calendar, transition, actor, nowUtc, new { note });
    }

    /// <summary>
    /// The level's time limit has passed (a timer fired): hand the case up to <paramref name="parentUnit"/> when the level
    /// says so, else flag it and remind the owner, the holding unit and the unit above. Answers whether it moved.
    /// </summary>
    public bool ExpireLevel(WorkflowDefinition workflow, WorkingDayCalendar calendar, OrgUnit? parentUnit, DateTime nowUtc)
    {
        var level = workflow.Level(Level);
        var above = workflow.LevelAbove(Level);
        if (level.OnExpiry == ExpiryAction.Escalate && above is not null && parentUnit is not null && parentUnit.Kind == above.UnitKind)
        {
            var system = Actor.SystemAt(UnitId, UnitPath);
            var (fromState, fromLevel, fromUnitId, fromOwnerId) = (State, Level, UnitId, OwnerId);
            UnitId = parentUnit.Id;
            UnitPath = parentUnit.Path;
            OwnerId = null;
            EnterLevel(above, nowUtc);
            var expiry = new TransitionDefinition(CaseActions.EscalateOnExpiry, new LocalizedText("时限届满自动上报", "Escalated when the time limit passed"),
                [], workflow.InitialState.Id, [], [], TransitionEffect.Escalate, []);
            Move(workflow, calendar, expiry, fromState, fromLevel, fromUnitId, system, nowUtc,
                new { reason = $"{level.Title.Zh}办理时限届满", fromOwnerId, firstResponsibleId = FirstResponsibleId, toUnitId = parentUnit.Id });
            Remind(parentUnit.Id, null, null, Notice.Kinds.EscalatedOnExpiry, $"案件 {CaseNumber} 因{level.Title.Zh}时限届满自动上报: {Summary}", nowUtc);
            return true;
        }

        Remind(UnitId, null, OwnerId, Notice.Kinds.TimeLimitPassed, $"案件 {CaseNumber} 已超过{level.Title.Zh}办理时限: {Summary}", nowUtc);
        if (ParentUnitId is { } supervisor)
            Remind(supervisor, null, null, Notice.Kinds.TimeLimitPassed, $"督办: 案件 {CaseNumber} 已超过{level.Title.Zh}办理时限", nowUtc);
        return false;
    }

    /// <summary>The receiving unit has not accepted the case in time: remind it and the unit above.</summary>
    public void RemindAcceptanceOverdue(DateTime nowUtc)
    {
        Remind(UnitId, null, null, Notice.Kinds.AcceptanceOverdue, $"案件 {CaseNumber} 已超过受理时限，请及时受理: {Summary}", nowUtc);
        if (ParentUnitId is { } supervisor)
            Remind(supervisor, null, null, Notice.Kinds.AcceptanceOverdue, $"督办: 案件 {CaseNumber} 逾期未受理", nowUtc);
    }

    /// <summary>首问负责: remind whoever answers for the case to tell the applicant how it goes, and set the next reminder.</summary>
    public void RemindProgressNotice(WorkflowDefinition workflow, DateTime nowUtc)
    {
        Remind(UnitId, null, OwnerId ?? FirstResponsibleId, Notice.Kinds.ProgressNoticeDue, $"请向申请人 {ApplicantName} 告知案件 {CaseNumber} 的办理进度", nowUtc);
        if (workflow.Clock.ProgressNoticeEveryDays is { } every)
            _newTimers.Add(new CaseTimer(Id, TimerKind.ProgressNotice, nowUtc.AddDays(every), Level, UnitId));
    }

    /// <summary>Stops the level's clock (a party unreachable, an appraisal awaited); what is left of the limit is kept.</summary>
    public void Suspend(WorkflowDefinition workflow, Actor actor, int expectedVersion, string reason, DateTime nowUtc)
    {
        CheckClockChange(workflow, actor, expectedVersion, CaseActions.Suspend);
        if (IsSuspended || DeadlineAt is not { } deadline)
            throw new TransitionNotAllowedException(CaseNumber, State, Level, CaseActions.Suspend, AllowedActions(workflow, actor.Role));
        var (fromState, fromLevel, fromUnit) = (State, Level, UnitId);
        SuspendedAt = nowUtc;
        PausedMinutes = (int)Math.Max(0, Math.Ceiling((deadline - nowUtc).TotalMinutes));
        DeadlineAt = null;
        Record(CaseActions.Suspend, fromState, fromLevel, fromUnit, actor, nowUtc, new { reason = Required(reason, "reason"), remainingMinutes = PausedMinutes });
    }

    /// <summary>Starts the clock again: the deadline moves on by exactly the time spent suspended.</summary>
    public void Resume(WorkflowDefinition workflow, Actor actor, int expectedVersion, DateTime nowUtc)
    {
        CheckClockChange(workflow, actor, expectedVersion, CaseActions.Resume);
        if (!IsSuspended)
            throw new TransitionNotAllowedException(CaseNumber, State, Level, CaseActions.Resume, AllowedActions(workflow, actor.Role));
        var (fromState, fromLevel, fromUnit) = (State, Level, UnitId);
        var suspendedFor = nowUtc - SuspendedAt!.Value;
        DeadlineAt = DeadlineBeforeSuspension() + suspendedFor;
        SuspendedAt = null;
        PausedMinutes = null;
        _newTimers.Add(new CaseTimer(Id, TimerKind.LevelDeadline, DeadlineAt.Value, Level, UnitId));
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

    // Deadlines fall on whole minutes (the end of a China day) and the remainder was rounded up to a minute, so the
    // minute the case was suspended in plus the remainder is the deadline it had, to the tick.
    private DateTime DeadlineBeforeSuspension()
    {
        var at = SuspendedAt!.Value;
        return new DateTime(at.Ticks - (at.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc).AddMinutes(PausedMinutes ?? 0);
    }

    private void CheckClockChange(WorkflowDefinition workflow, Actor actor, int expectedVersion, string action)
    {
        if (expectedVersion != Version)
            throw new ConcurrentEditException(CaseNumber, expectedVersion, Version);
        if (!workflow.Clock.SuspendRoles.Contains(actor.Role, StringComparer.Ordinal))
            throw new RoleNotAllowedException(actor.Role, action);
        if (!workflow.State(State).ClockRuns)
            throw new TransitionNotAllowedException(CaseNumber, State, Level, action, AllowedActions(workflow, actor.Role));
    }

    // A change that keeps the state (suspend, resume) still leaves a line in the history.
    private void Record(string action, string fromState, string fromLevel, long fromUnit, Actor actor, DateTime nowUtc, object payload)
    {
        Version++;
        UpdatedAt = nowUtc;
        _newEvents.Add(new CaseEvent(this, action, fromState, fromLevel, fromUnit, actor, nowUtc, JsonSerializer.Serialize(payload, PayloadJson)));
    }

    private void Remind(long unitId, string? role, long? staffId, string kind, string message, DateTime nowUtc) =>
        _newNotices.Add(new Notice(unitId, role, Id, kind, message, nowUtc, staffId));

    private TransitionDefinition Transition(WorkflowDefinition workflow, string action, Actor actor, int expectedVersion)
    {
        if (workflow.Key != WorkflowKey || workflow.Version != WorkflowVersion)
            throw new InvalidOperationException($"Case {CaseNumber} runs on {WorkflowKey} v{WorkflowVersion}, not {workflow}.");
        if (expectedVersion != Version)
            throw new ConcurrentEditException(CaseNumber, expectedVersion, Version);
        var transition = workflow.TransitionsFrom(State, Level).FirstOrDefault(t => t.Action == action)
            ?? throw new TransitionNotAllowedException(CaseNumber, State, Level, action, AllowedActions(workflow, actor.Role));
        if (!transition.AllowsRole(actor.Role))
            throw new RoleNotAllowedException(actor.Role, action);
        return transition;
    }

    private void EnterLevel(LevelDefinition level, DateTime nowUtc)
    {
        Level = level.Id;
        LevelEnteredAt = nowUtc;
    }

    private void Fire(WorkflowDefinition workflow, WorkingDayCalendar calendar, TransitionDefinition transition, Actor actor, DateTime nowUtc, object payload) =>
        Move(workflow, calendar, transition, State, Level, UnitId, actor, nowUtc, payload);

    private void Move(WorkflowDefinition workflow, WorkingDayCalendar calendar, TransitionDefinition transition, string? fromState, string? fromLevel, long? fromUnitId, Actor actor, DateTime nowUtc, object payload)
    {
        var to = workflow.State(transition.To);
        var level = workflow.Level(Level);
        var deadlineBefore = DeadlineAt;
        State = to.Id;
        if (to.Outcome is not null)
            Outcome = to.Outcome;
        else if (!to.IsFinal)
            Outcome = null;
        if (!to.ClockRuns)
        {
            DeadlineAt = null;
            SuspendedAt = null;
            PausedMinutes = null;
        }
        else if (!IsSuspended)
        {
            DeadlineAt = calendar.Deadline(LevelEnteredAt, level.TimeLimit);
            if (DeadlineAt != deadlineBefore)
                _newTimers.Add(new CaseTimer(Id, TimerKind.LevelDeadline, DeadlineAt.Value, Level, UnitId));
        }
        if (to.Id == workflow.InitialState.Id && level.AcceptWithin is { } acceptWithin)
            _newTimers.Add(new CaseTimer(Id, TimerKind.AcceptanceDeadline, calendar.Deadline(LevelEnteredAt, acceptWithin), Level, UnitId));
        ScheduleFollowUps(workflow, calendar, nowUtc);
        Version++;
        UpdatedAt = nowUtc;
        _newEvents.Add(new CaseEvent(this, transition.Action, fromState, fromState is null ? null : fromLevel, fromState is null ? null : fromUnitId, actor, nowUtc, JsonSerializer.Serialize(payload, PayloadJson)));
    }

    // 回访: visits some days after the case reaches the rule's state, and on each due date of the agreement, each moved
    // to a working day; a visit not recorded within the grace days becomes a supervision item.
    private void ScheduleFollowUps(WorkflowDefinition workflow, WorkingDayCalendar calendar, DateTime nowUtc)
    {
        var today = WorkingDayCalendar.ChinaDate(nowUtc);
        var owner = OwnerId ?? FirstResponsibleId;
        foreach (var rule in workflow.FollowUps.Where(r => r.WhenState == State && (r.Outcomes.Count == 0 || r.Outcomes.Contains(Outcome ?? "", StringComparer.Ordinal))))
        {
            var visits = rule.AfterDays.Select(d => (Day: today.AddDays(d), Reason: $"结案后{d}日回访"))
                .Concat(rule.OnAgreementDueDates && Agreement is { } agreement
                    ? agreement.DueDates.Where(d => d >= today).Select(d => (Day: d, Reason: $"协议履行期限 {d:yyyy-MM-dd} 回访"))
                    : []);
            foreach (var (day, reason) in visits)
            {
                var dueOn = calendar.WorkingDayOnOrAfter(day);
                var graceEnds = calendar.Deadline(WorkingDayCalendar.StartOfChinaDay(dueOn), new TimeLimit(rule.GraceDays, DayCounting.WorkingDays));
                _newFollowUps.Add(new FollowUpVisit(Id, owner, UnitId, dueOn, WorkingDayCalendar.StartOfChinaDay(dueOn), graceEnds, reason));
            }
        }
    }

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new CaseInputException(field, $"'{field}' is required.", $"“{field}”为必填项。") : value.Trim();
}
