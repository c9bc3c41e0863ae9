namespace Mediation.Application.Persistence;

/// <summary>
/// How many cases each unit holds per level, state and outcome, kept in the same transaction as every change,
/// so counts and settled shares over a million cases read a few hundred rows instead of scanning the cases.
/// Outcome is "" rather than null so that it can sit in the key.
/// </summary>
public sealed class CaseTally
{
    private CaseTally()
    {
        Level = State = Outcome = "";
    }

    public long UnitId { get; private set; }
    public string Level { get; private set; }
    public string State { get; private set; }
    public string Outcome { get; private set; }
    public long Count { get; private set; }

    public readonly record struct Key(long UnitId, string Level, string State, string Outcome);
}

/// <summary>The first result of an idempotent command, returned again when the same key is sent again.</summary>
public sealed class IdempotencyRecord
{
    private IdempotencyRecord()
    {
        Key = RequestType = Response = "";
    }

    public IdempotencyRecord(long staffId, string key, string requestType, string? requestHash, string response, DateTime createdAt)
    {
        StaffId = staffId;
        Key = key;
        RequestType = requestType;
        RequestHash = requestHash;
        Response = response;
        CreatedAt = createdAt;
    }

    public long StaffId { get; private set; }
    public string Key { get; private set; }
    public string RequestType { get; private set; }

    /// <summary>SHA-256 of the request's canonical JSON: tells a retry from a different request without keeping the body.</summary>
    public string? RequestHash { get; private set; }
    public string Response { get; private set; }
    public DateTime CreatedAt { get; private set; }
}

/// <summary>The last case number given out per street and year.</summary>
public sealed class CaseNumberCounter
{
    private CaseNumberCounter()
    {
    }

    public long StreetId { get; private set; }
    public int Year { get; private set; }
    public long Last { get; private set; }
}
