namespace Mediation.Domain.Cases;

/// <summary>调解记录: one sitting of the parties with the mediator.</summary>
public sealed class MediationSession
{
    private MediationSession()
    {
        Place = Attendees = Summary = "";
    }

    public MediationSession(DateTime heldAt, string place, string attendees, string summary, long mediatorId, long unitId)
    {
        HeldAt = heldAt;
        Place = place;
        Attendees = attendees;
        Summary = summary;
        MediatorId = mediatorId;
        UnitId = unitId;
    }

    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public DateTime HeldAt { get; private set; }
    public string Place { get; private set; }
    public string Attendees { get; private set; }
    public string Summary { get; private set; }
    public long MediatorId { get; private set; }
    public long UnitId { get; private set; }
}

/// <summary>调解协议书: the settlement terms, accepted by the parties, with due dates for performance.</summary>
public sealed class Agreement
{
    private Agreement()
    {
        Terms = "";
        DueDates = [];
    }

    public Agreement(string terms, bool acceptedByParties, IReadOnlyList<DateOnly> dueDates, DateTime signedAt)
    {
        Terms = terms;
        AcceptedByParties = acceptedByParties;
        DueDates = [.. dueDates.Order()];
        SignedAt = signedAt;
    }

    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public string Terms { get; private set; }
    public bool AcceptedByParties { get; private set; }
    public List<DateOnly> DueDates { get; private set; }
    public DateTime SignedAt { get; private set; }

    /// <summary>Set when a later resolution of the reopened case replaced these terms; the record itself stays.</summary>
    public DateTime? SupersededAt { get; private set; }

    public void Supersede(DateTime nowUtc) => SupersededAt ??= nowUtc;
}
