using Mediation.Domain.Org;

namespace Mediation.Application.Pipeline;

/// <summary>The signed-in staff member of the current scope (an HTTP request, a test, a scheduled job).</summary>
public sealed class ActorContext
{
    private Actor? _actor;

    public Actor Current => _actor ?? throw new NotSignedInException();

    public bool IsSignedIn => _actor is not null;

    public void Use(Actor actor) => _actor = actor;
}
