using Mediation.Application.Features.Webhooks;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Web.Ui;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages.Admin;

/// <summary>管理员: webhook subscriptions, their deliveries and dead letters to replay, through the same commands as the API.</summary>
[Authorize(Roles = "administrator")]
public sealed class WebhooksModel(IMediator mediator, UiText text) : PageModel
{
    public IReadOnlyList<WebhookSubscriptionView> Subscriptions { get; private set; } = [];
    public IReadOnlyList<WebhookDeliveryView> Deliveries { get; private set; } = [];

    /// <summary>The secret of a subscription just created: shown on this answer only.</summary>
    public string? NewSecret { get; private set; }

    public string? Message { get; private set; }
    public List<string> Errors { get; } = [];

    [BindProperty]
    public string? Address { get; set; }

    [BindProperty]
    public List<string> Events { get; set; } = [];

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken) => RunAsync(async () =>
    {
        var created = await mediator.Send(new CreateWebhookSubscription(Address ?? "", Events), cancellationToken);
        NewSecret = created.Secret;
        (Address, Events) = (null, []);
    }, cancellationToken);

    public Task<IActionResult> OnPostActiveAsync(long subscriptionId, bool active, int version, CancellationToken cancellationToken) =>
        RunAsync(() => mediator.Send(new SetWebhookSubscriptionActive(subscriptionId, active, version), cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostDeleteAsync(long subscriptionId, CancellationToken cancellationToken) =>
        RunAsync(() => mediator.Send(new DeleteWebhookSubscription(subscriptionId), cancellationToken), cancellationToken);

    public Task<IActionResult> OnPostReplayAsync(string deliveryId, CancellationToken cancellationToken) =>
        RunAsync(() => mediator.Send(new ReplayWebhookDelivery(deliveryId), cancellationToken), cancellationToken);

    private async Task<IActionResult> RunAsync(Func<Task> command, CancellationToken cancellationToken)
    {
        try
        {
            await command();
            Message = text["webhookDone"];
        }
        catch (RequestValidationException invalid)
        {
            Errors.AddRange(invalid.Errors.Select(e => text.Refusal(e.Field, e.Message, e.Chinese)));
        }
        catch (NotFoundException)
        {
            Errors.Add(text["webhookGone"]);
        }
        catch (DomainRuleException)
        {
            Errors.Add(text["webhookStale"]);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Subscriptions = await mediator.Send(new ListWebhookSubscriptions(), cancellationToken);
        Deliveries = await mediator.Send(new ListWebhookDeliveries(null, 50), cancellationToken);
    }
}
