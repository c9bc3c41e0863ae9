using Mediation.Workflows.Time;

namespace Mediation.Domain.Cases.Policies;

/// <summary>What a policy reads when it reacts: the case as it stands after the change, the calendar and the time.</summary>
public sealed record PolicyContext(DisputeCase Case, WorkingDayCalendar Calendar, DateTime NowUtc);
