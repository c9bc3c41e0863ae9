using Mediation.Domain.FollowUps;
using Mediation.Workflows.Definitions;

namespace Mediation.Domain.Cases;

/// <summary>
/// Something that happened to a case beyond its workflow position (those are the engine's
/// <see cref="Workflows.Engine.WorkflowEvent"/>s); the case raises both and its policies react.
/// </summary>
public abstract record CaseDomainEvent;

/// <summary>A dispute was registered; <see cref="IsMajor"/> when the reporting rule marked it major.</summary>
public sealed record CaseRegistered(bool IsMajor, IReadOnlyList<string> NotifyRoles, int? ProgressNoticeEveryDays) : CaseDomainEvent;

/// <summary>The level's time limit passed (a timer fired); <see cref="Escalated"/> when the case was handed up for it.</summary>
public sealed record LevelTimeLimitPassed(LevelDefinition Level, bool Escalated) : CaseDomainEvent;

/// <summary>The receiving unit has not accepted the case in time.</summary>
public sealed record AcceptanceOverdue : CaseDomainEvent;

/// <summary>首问负责: the applicant is due to be told how the case goes; the next reminder after <see cref="NextInDays"/>.</summary>
public sealed record ProgressNoticeDue(int? NextInDays) : CaseDomainEvent;

/// <summary>A closed matter was taken up again; the visits still planned for the closing that no longer stands.</summary>
public sealed record CaseReopened(string Reason, IReadOnlyList<FollowUpVisit> PlannedVisits) : CaseDomainEvent;
