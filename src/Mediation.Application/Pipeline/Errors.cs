namespace Mediation.Application.Pipeline;

/// <summary>The thing does not exist, or lies outside the actor's scope: both answer 404 so scope leaks nothing.</summary>
public sealed class NotFoundException(string what) : Exception($"{what} was not found.");

/// <summary>The actor may see the thing but not do this to it (403).</summary>
public sealed class AccessDeniedException(string message) : Exception(message);

/// <summary>A broken rule of one field, in English and, where the rule has one, in Chinese for zh clients.</summary>
public sealed record FieldError(string Field, string Message, string? Chinese = null);

/// <summary>A filter in the query string names a value that does not exist (400), listing the values that do.</summary>
public sealed class UnknownFilterValueException(string parameter, string value, IReadOnlyList<string> allowed)
    : Exception($"'{UserText.Shown(value)}' is not a value of '{parameter}'. Allowed: {string.Join(", ", allowed)}.")
{
    public string Parameter { get; } = parameter;
    public IReadOnlyList<string> Allowed { get; } = allowed;
    public string Chinese => $"查询参数“{Parameter}”的取值“{UserText.Shown(value)}”不存在。可选值：{string.Join("、", Allowed)}。";
}

/// <summary>What a user typed, made safe to echo in a refusal or a log line: bounded, with control characters escaped.</summary>
public static class UserText
{
    public const int MaxShown = 80;

    public static string Shown(string? typed, int max = MaxShown)
    {
        if (typed is null)
            return "";
        var text = new System.Text.StringBuilder(Math.Min(typed.Length, max) + 8);
        foreach (var c in typed)
        {
            if (text.Length >= max)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"…({typed.Length} chars)");
                break;
            }
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                text.Append(c);
        }
        return text.ToString();
    }
}

/// <summary>The request's fields break their rules (422); every broken field is named.</summary>
public sealed class RequestValidationException(IReadOnlyList<FieldError> errors)
    : Exception("The request is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>An idempotency key reused for a different request (422).</summary>
public sealed class IdempotencyKeyReusedException(string key)
    : Exception($"Idempotency key '{UserText.Shown(key)}' was already used for a different request; send a new key for a new request.")
{
    public string Chinese => $"幂等键“{UserText.Shown(key)}”已用于另一个不同的请求；新的请求请使用新的键。";
}

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
