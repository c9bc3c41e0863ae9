namespace Mediation.Domain.Cases;

/// <summary>
/// One immutable line of a case's history: who did what, when, from which state, level and unit to which.
/// <see cref="Sequence"/> equals the case's version after the event, so the history replays to the case.
/// Payloads never carry personal data.
/// </summary>
public sealed class CaseEvent
{
    private CaseEvent()
    {
        Action = ToState = Level = ActorName = ActorRole = Payload = "";
    }

    internal CaseEvent(DisputeCase @case, string action, string? fromState, string? fromLevel, long? fromUnitId, Org.Actor actor, DateTime at, string payload)
    {
        CaseId = @case.Id;
        Sequence = @case.Version;
        Action = action;
        FromState = fromState;
        ToState = @case.State;
        FromLevel = fromLevel;
        Level = @case.Level;
        FromUnitId = fromUnitId;
        UnitId = @case.UnitId;
        Outcome = @case.Outcome;
        ActorId = actor.StaffId;
        ActorName = actor.DisplayName;
        ActorRole = actor.Role;
        ActorUnitId = actor.UnitId;
        OccurredAt = at;
        Payload = payload;
    }

    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public int Sequence { get; private set; }
    public string Action { get; private set; }
    public string? FromState { get; private set; }
    public string ToState { get; private set; }
    public string? FromLevel { get; private set; }
    public string Level { get; private set; }
    public long? FromUnitId { get; private set; }
    public long UnitId { get; private set; }
    public string? Outcome { get; private set; }
    public long ActorId { get; private set; }

    // The name and role are copied, not joined: the trace must say who acted even after staff change.
    public string ActorName { get; private set; }
    public string ActorRole { get; private set; }
    public long ActorUnitId { get; private set; }
    public DateTime OccurredAt { get; private set; }

    /// <summary>JSON with the action's own facts (reason, agreement terms, referral).</summary>
    public string Payload { get; private set; }
}
