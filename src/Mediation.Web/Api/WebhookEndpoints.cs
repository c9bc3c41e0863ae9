using Mediation.Application.Features.Webhooks;
using MediatR;

namespace Mediation.Web.Api;

/// <summary>Outbound events: subscriptions, deliveries and dead-letter replay, for administrators.</summary>
public static class WebhookEndpoints
{
    public static void MapWebhooks(this RouteGroupBuilder admin)
    {
        var hooks = admin.MapGroup("/webhooks");
        hooks.MapGet("", (IMediator m, CancellationToken ct) => m.Send(new ListWebhookSubscriptions(), ct)).WithSummary("The street's webhook subscriptions.");
        hooks.MapPost("", async (CreateWebhookSubscription body, IMediator m, CancellationToken ct) =>
            {
                var created = await m.Send(body, ct);
                return Results.Created($"/api/admin/webhooks/{created.Subscription.Id}", created);
            })
            .WithSummary("Subscribe an address to event kinds; the answer shows the signing secret, once.").ProducesValidationProblem(422);
        hooks.MapPost("/{id:long}/active", (long id, SetWebhookSubscriptionActive body, IMediator m, CancellationToken ct) => m.Send(body with { SubscriptionId = id }, ct))
            .WithSummary("Disable or enable a subscription (with the version you saw).").ProducesProblem(409);
        hooks.MapDelete("/{id:long}", async (long id, IMediator m, CancellationToken ct) =>
            {
                await m.Send(new DeleteWebhookSubscription(id), ct);
                return Results.NoContent();
            })
            .WithSummary("Delete a subscription and its deliveries.");
        hooks.MapGet("/deliveries", (string? status, int? limit, IMediator m, CancellationToken ct) => m.Send(new ListWebhookDeliveries(status, limit ?? 100), ct))
            .WithSummary("Deliveries newest first; ?status=Dead lists the dead letters.");
        hooks.MapPost("/deliveries/{id}/replay", (string id, IMediator m, CancellationToken ct) => m.Send(new ReplayWebhookDelivery(id), ct))
            .WithSummary("Send a dead letter again, with the same delivery id.").ProducesValidationProblem(422);
    }
}
