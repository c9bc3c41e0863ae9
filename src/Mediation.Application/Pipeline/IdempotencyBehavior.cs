using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mediation.Application.Persistence;
using MediatR;

namespace Mediation.Application.Pipeline;

/// <summary>
/// A command sent again with the same key (a retry, a double click) returns the first result and changes nothing.
/// The record is written inside the command's transaction, so a result is remembered exactly when it committed; the key
/// is held for that transaction, so a retry that reached another node at the same moment gets the same answer.
/// </summary>
internal sealed class IdempotencyBehavior<TRequest, TResponse>(MediationDbContext db, IStoreDialect dialect, ActorContext actors, TimeProvider clock)
    : IPipelineBehavior<TRequest, TResponse>
{
    private const int MaxKeyLength = 100;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var key = (request as IIdempotentCommand)?.IdempotencyKey is { Length: > 0 } own ? own : actors.IdempotencyKey;
        if (request is not ICommand || string.IsNullOrEmpty(key))
            return await next();

        if (key.Length > MaxKeyLength)
            throw new RequestValidationException([new FieldError("Idempotency-Key", $"An idempotency key has at most {MaxKeyLength} characters.", $"幂等键最多 {MaxKeyLength} 个字符。")]);

        var staffId = actors.Current.StaffId;
        var requestType = typeof(TRequest).Name;
        var requestHash = Hash(request);
        // The same key sent to two nodes at once: the second waits here for the first to commit, then finds its record.
        await dialect.HoldIdempotencyKeyAsync(db, staffId, key, cancellationToken);
        var earlier = await db.IdempotencyRecords.FindAsync([staffId, key], cancellationToken);
        if (earlier is not null)
        {
            // Records kept before request hashes were stored can only be told apart by the kind of request.
            var same = earlier.RequestType == requestType && (earlier.RequestHash is null || earlier.RequestHash == requestHash);
            return same
                ? JsonSerializer.Deserialize<TResponse>(earlier.Response, Json)!
                : throw new IdempotencyKeyReusedException(key);
        }

        var response = await next();
        db.IdempotencyRecords.Add(new IdempotencyRecord(staffId, key, requestType, requestHash, JsonSerializer.Serialize(response, Json), clock.GetUtcNow().UtcDateTime));
        return response;
    }

    // The request's fields as JSON (the key itself left out, so the body's key and the header's agree), hashed.
    private static string Hash(TRequest request)
    {
        var fields = JsonSerializer.SerializeToNode(request, Json)!.AsObject();
        fields.Remove("idempotencyKey");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fields.ToJsonString(Json))));
    }
}
