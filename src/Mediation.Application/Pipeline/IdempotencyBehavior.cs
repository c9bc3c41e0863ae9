using System.Text.Json;
using Mediation.Application.Persistence;
using MediatR;

namespace Mediation.Application.Pipeline;

/// <summary>
/// A command sent again with the same key (a retry, a double click) returns the first result and changes nothing.
/// The record is written inside the command's transaction, so a result is remembered exactly when it committed.
/// </summary>
internal sealed class IdempotencyBehavior<TRequest, TResponse>(MediationDbContext db, ActorContext actors, TimeProvider clock)
    : IPipelineBehavior<TRequest, TResponse>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var key = (request as IIdempotentCommand)?.IdempotencyKey is { Length: > 0 } own ? own : actors.IdempotencyKey;
        if (request is not ICommand || string.IsNullOrEmpty(key))
            return await next();

        var staffId = actors.Current.StaffId;
        var requestType = typeof(TRequest).Name;
        var earlier = await db.IdempotencyRecords.FindAsync([staffId, key], cancellationToken);
        if (earlier is not null)
        {
            return earlier.RequestType == requestType
                ? JsonSerializer.Deserialize<TResponse>(earlier.Response, Json)!
                : throw new IdempotencyKeyReusedException(key);
        }

        var response = await next();
        db.IdempotencyRecords.Add(new IdempotencyRecord(staffId, key, requestType, JsonSerializer.Serialize(response, Json), clock.GetUtcNow().UtcDateTime));
        return response;
    }
}
