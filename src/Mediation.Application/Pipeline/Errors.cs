namespace Mediation.Application.Pipeline;

/// <summary>The thing does not exist, or lies outside the actor's scope: both answer 404 so scope leaks nothing.</summary>
public sealed class NotFoundException(string what) : Exception($"{what} was not found.");

/// <summary>The actor may see the thing but not do this to it (403).</summary>
public sealed class AccessDeniedException(string message) : Exception(message);

public sealed record FieldError(string Field, string Message);

/// <summary>The request's fields break their rules (422); every broken field is named.</summary>
public sealed class RequestValidationException(IReadOnlyList<FieldError> errors)
    : Exception("The request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>An idempotency key reused for a different request (422).</summary>
public sealed class IdempotencyKeyReusedException(string key)
    : Exception($"Idempotency key '{key}' was already used for a different request.");

/// <summary>No one is signed in (401).</summary>
public sealed class NotSignedInException() : Exception("Sign in first.");

/// <summary>
/// Another writer held the database past the bounded wait (503 with Retry-After): nothing was written. A DbException,
/// so loops that already ride out database hiccups (the timer dispatcher) treat it as one.
/// </summary>
public sealed class DatabaseBusyException(string message, TimeSpan retryAfter, Exception? inner = null)
    : System.Data.Common.DbException(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
