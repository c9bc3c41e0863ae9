namespace Mediation.Domain.Supervision;

public enum DigestKind
{
    /// <summary>每周集中排查: every Monday morning, all open and at-risk disputes per unit.</summary>
    WeeklyScreening,

    /// <summary>每半月会商研判: every other week, the hard cases for the consultation meeting.</summary>
    FortnightlyConsultation,
}

/// <summary>A screening digest or consultation agenda, generated once per period and kept to be read later.</summary>
public sealed class Digest
{
    private Digest()
    {
        Content = "";
    }

    public Digest(DigestKind kind, DateOnly periodStart, DateTime generatedAt, string content)
    {
        Kind = kind;
        PeriodStart = periodStart;
        GeneratedAt = generatedAt;
        Content = content;
    }

    public long Id { get; private set; }
    public DigestKind Kind { get; private set; }
    public DateOnly PeriodStart { get; private set; }
    public DateTime GeneratedAt { get; private set; }

    /// <summary>JSON: per unit, the open, overdue, at-risk and major cases (numbers and summaries, no personal data).</summary>
    public string Content { get; private set; }
}
