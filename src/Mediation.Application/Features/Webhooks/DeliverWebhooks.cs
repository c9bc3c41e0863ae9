using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Webhooks;

/// <summary>A delivery this node has leased: what to send, where, and with which secret (still protected).</summary>
public sealed record WebhookSend(string DeliveryId, string Kind, string Body, string Url, string SecretProtected, int Attempts);

/// <summary>
/// Leases up to <paramref name="Max"/> due deliveries to this node until <paramref name="Lease"/> from now: their next
/// attempt time moves past it, so no other node takes them while this one sends (PostgreSQL: claimed with SKIP LOCKED).
/// </summary>
public sealed record ClaimWebhookDeliveries(int Max, TimeSpan Lease) : ICommand<IReadOnlyList<WebhookSend>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.System];
}

/// <summary>
/// Records one attempt: succeeded, or failed with its status code or error, then retried at <paramref name="RetryAt"/>
/// (kept leased until then) or, with no retry left, dead.
/// </summary>
public sealed record RecordWebhookAttempt(string DeliveryId, bool Succeeded, int? StatusCode, string? Error, DateTime? RetryAt) : ICommand<WebhookDeliveryView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.System];
}

internal sealed class DeliverWebhooksHandlers(MediationDbContext db, IStoreDialect dialect, TimeProvider clock) :
    IRequestHandler<ClaimWebhookDeliveries, IReadOnlyList<WebhookSend>>,
    IRequestHandler<RecordWebhookAttempt, WebhookDeliveryView>
{
    public async Task<IReadOnlyList<WebhookSend>> Handle(ClaimWebhookDeliveries request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = await dialect.ClaimWebhookDeliveriesAsync(db, now, now + request.Lease, request.Max, cancellationToken);
        if (ids.Count == 0)
            return [];
        return await db.Set<WebhookDelivery>().AsNoTracking().Where(d => ids.Contains(d.Id))
            .Join(db.Set<WebhookSubscription>(), d => d.SubscriptionId, s => s.Id, (d, s) => new WebhookSend(d.Id, d.Kind, d.Body, s.Url, s.SecretProtected, d.Attempts))
            .ToListAsync(cancellationToken);
    }

    public async Task<WebhookDeliveryView> Handle(RecordWebhookAttempt request, CancellationToken cancellationToken)
    {
        var delivery = await db.Set<WebhookDelivery>().FirstOrDefaultAsync(d => d.Id == request.DeliveryId, cancellationToken)
            ?? throw new NotFoundException($"Webhook delivery {request.DeliveryId}");
        var now = clock.GetUtcNow().UtcDateTime;
        delivery.Attempted(request.StatusCode, request.Error, request.Succeeded, dead: !request.Succeeded && request.RetryAt is null, request.RetryAt ?? now, now);
        await db.SaveChangesAsync(cancellationToken);
        var url = await db.Set<WebhookSubscription>().Where(s => s.Id == delivery.SubscriptionId).Select(s => s.Url).FirstOrDefaultAsync(cancellationToken);
        return ManageWebhooksHandlers.View(delivery, url ?? "");
    }
}
