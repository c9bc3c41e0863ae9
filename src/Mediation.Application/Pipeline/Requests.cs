using MediatR;

namespace Mediation.Application.Pipeline;

/// <summary>A request that changes stored state: it runs in one transaction behind the single-writer gate.</summary>
public interface ICommand<out TResponse> : IRequest<TResponse>, ICommand;

/// <summary>The non-generic mark of a command, for the pipeline to recognise.</summary>
#pragma warning disable CA1040 // A marker interface is the point: behaviours test for it.
public interface ICommand;
#pragma warning restore CA1040

/// <summary>A request that only reads.</summary>
public interface IQuery<out TResponse> : IRequest<TResponse>;

/// <summary>A request about one case: the pipeline refuses it unless the actor's org scope covers the case.</summary>
public interface ICaseRequest
{
    long CaseId { get; }
}

/// <summary>A command on one case: the actor's unit must hold the case, not merely see it.</summary>
public interface ICaseCommand : ICaseRequest
{
    /// <summary>The version the caller saw; a different stored version is a concurrent edit.</summary>
    int ExpectedVersion { get; }
}

/// <summary>A command that is harmless to repeat: the same key from the same person returns the first result.</summary>
public interface IIdempotentCommand
{
    string? IdempotencyKey { get; }
}

/// <summary>
/// Declares which roles may send a request that is not about one case (lists, reports, registration);
/// an empty list means any signed-in staff member.
/// </summary>
public interface IRoleRestricted
{
    IReadOnlyList<string> AllowedRoles { get; }
}
