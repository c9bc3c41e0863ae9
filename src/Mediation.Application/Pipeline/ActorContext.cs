using Mediation.Domain.Org;

namespace Mediation.Application.Pipeline;

/// <summary>The signed-in staff member of the current scope (an HTTP request, a test, a scheduled job).</summary>
public sealed class ActorContext
{
    private Actor? _actor;

    public Actor Current => _actor ?? throw new NotSignedInException();

    public bool IsSignedIn => _actor is not null;

    public void Use(Actor actor) => _actor = actor;

    /// <summary>
    /// The client's idempotency key for this request (the HTTP Idempotency-Key header): any command sent with it
    /// is answered from its first result when repeated.
    /// </summary>
    public string? IdempotencyKey { get; set; }
}
