namespace Mediation.Domain.Org;

/// <summary>A signed-in session held on the server: the cookie names it, and ending the row ends the session.</summary>
public sealed class StaffSession
{
    private StaffSession()
    {
        Id = "";
    }

    public StaffSession(string id, long staffId, DateTime startedAt, DateTime expiresAt)
    {
        Id = id;
        StaffId = staffId;
        StartedAt = startedAt;
        ExpiresAt = expiresAt;
    }

    public string Id { get; private set; }
    public long StaffId { get; private set; }
    public DateTime StartedAt { get; private set; }
    public DateTime ExpiresAt { get; private set; }
}
