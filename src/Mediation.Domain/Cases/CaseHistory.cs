namespace Mediation.Domain.Cases;

/// <summary>Where a case stands, as its history tells it.</summary>
public sealed record CaseSnapshot(string State, string Level, long UnitId, string? Outcome, int Version);

/// <summary>Replays a case's events; the result must equal the stored case, or the trace is not the truth.</summary>
public static class CaseHistory
{
    public static CaseSnapshot Replay(IEnumerable<CaseEvent> events)
    {
        CaseSnapshot? snapshot = null;
        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            var expected = (snapshot?.Version ?? 0) + 1;
            if (e.Sequence != expected)
                throw new InvalidOperationException($"History has a gap: event {e.Sequence} follows version {expected - 1}.");
            if (snapshot is not null && (e.FromState != snapshot.State || e.FromLevel != snapshot.Level || e.FromUnitId != snapshot.UnitId))
                throw new InvalidOperationException($"Event {e.Sequence} starts from {e.FromState}/{e.FromLevel}/{e.FromUnitId}, but the case stood at {snapshot.State}/{snapshot.Level}/{snapshot.UnitId}.");
            snapshot = new CaseSnapshot(e.ToState, e.Level, e.UnitId, e.Outcome, e.Sequence);
        }
        return snapshot ?? throw new InvalidOperationException("A case without events has no history to replay.");
    }
}
