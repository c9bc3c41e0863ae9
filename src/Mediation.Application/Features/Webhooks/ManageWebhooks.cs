using System.Security.Cryptography;
using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Webhooks;

public sealed record WebhookSubscriptionView(long Id, long StreetId, string StreetName, string Url, IReadOnlyList<string> Events, bool Active, DateTime CreatedAt, int Version);

/// <summary>A new subscription with its signing secret: the one time the secret is shown.</summary>
public sealed record CreatedWebhookSubscription(WebhookSubscriptionView Subscription, string Secret);

public sealed record WebhookDeliveryView(string Id, long SubscriptionId, string Url, string EventId, string Kind, string Status, int Attempts, DateTime NextAttemptAt,
    int? LastStatusCode, string? LastError, DateTime CreatedAt, DateTime? DeliveredAt);

/// <summary>The street's subscriptions (a county administrator: every street's).</summary>
public sealed record ListWebhookSubscriptions : IQuery<IReadOnlyList<WebhookSubscriptionView>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>Deliveries newest first, optionally of one status (Pending, Succeeded, Dead).</summary>
public sealed record ListWebhookDeliveries(string? Status, int Limit = 100) : IQuery<IReadOnlyList<WebhookDeliveryView>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>Tells the address of the street's events of these kinds; a county administrator names the street.</summary>
public sealed record CreateWebhookSubscription(string Url, IReadOnlyList<string>? Events, long? StreetId = null) : ICommand<CreatedWebhookSubscription>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>Stops (or starts again) queueing deliveries for a subscription; what is queued still goes out.</summary>
public sealed record SetWebhookSubscriptionActive(long SubscriptionId, bool Active, int ExpectedVersion) : ICommand<WebhookSubscriptionView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>Removes a subscription and its deliveries.</summary>
public sealed record DeleteWebhookSubscription(long SubscriptionId) : ICommand<bool>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>Sends a dead letter round again, now, with the same delivery id.</summary>
public sealed record ReplayWebhookDelivery(string DeliveryId) : ICommand<WebhookDeliveryView>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

internal sealed record WebhookSubscriptionSnapshot(string Url, IReadOnlyList<string> Events, bool Active) : IAuditSnapshot;

internal sealed record WebhookReplaySnapshot(string DeliveryId, string EventId, string Kind, string Status) : IAuditSnapshot;

public static class WebhookUrls
{
    /// <summary>An absolute http(s) address without credentials in it; the only place deliveries go.</summary>
    public static IEnumerable<FieldError> Check(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 500 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
            yield return new("url", "The address is an absolute http:// or https:// URL of at most 500 characters.", "地址须为完整的 http:// 或 https:// 网址，不超过 500 个字符。");
        else if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
            yield return new("url", "The address carries no user name, password or #fragment; deliveries are signed instead.", "地址中不得包含用户名、密码或 # 片段；推送以签名验证。");
    }
}

internal sealed class CreateWebhookSubscriptionValidator : IValidator<CreateWebhookSubscription>
{
    public IEnumerable<FieldError> Validate(CreateWebhookSubscription r)
    {
        foreach (var e in WebhookUrls.Check(r.Url))
            yield return e;
        if (r.Events is not { Count: > 0 })
            yield return new("events", $"Choose at least one event kind: {string.Join(", ", WebhookKinds.All)}.", "请至少选择一种事件。");
        else if (r.Events.FirstOrDefault(k => !WebhookKinds.All.Contains(k)) is { } unknown)
            yield return new("events", $"'{UserText.Shown(unknown)}' is not an event kind. Allowed: {string.Join(", ", WebhookKinds.All)}.", $"“{UserText.Shown(unknown)}”不是可订阅的事件。");
    }
}

internal sealed class ManageWebhooksHandlers(MediationDbContext db, OrgTree tree, ActorContext actors, TimeProvider clock, IWebhookSecrets secrets, AfterCommit afterCommit, WebhookSignal signal) :
    IRequestHandler<ListWebhookSubscriptions, IReadOnlyList<WebhookSubscriptionView>>,
    IRequestHandler<ListWebhookDeliveries, IReadOnlyList<WebhookDeliveryView>>,
    IRequestHandler<CreateWebhookSubscription, CreatedWebhookSubscription>,
    IRequestHandler<SetWebhookSubscriptionActive, WebhookSubscriptionView>,
    IRequestHandler<DeleteWebhookSubscription, bool>,
    IRequestHandler<ReplayWebhookDelivery, WebhookDeliveryView>
{
    public async Task<IReadOnlyList<WebhookSubscriptionView>> Handle(ListWebhookSubscriptions request, CancellationToken cancellationToken)
    {
        var streets = await AdministeredStreetsAsync(cancellationToken);
        var all = await db.Set<WebhookSubscription>().AsNoTracking().Where(s => streets.Contains(s.StreetId)).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        return all.Select(s => View(s, units)).ToList();
    }

    public async Task<IReadOnlyList<WebhookDeliveryView>> Handle(ListWebhookDeliveries request, CancellationToken cancellationToken)
    {
        var streets = await AdministeredStreetsAsync(cancellationToken);
        var query = db.Set<WebhookDelivery>().AsNoTracking().Where(d => streets.Contains(d.StreetId));
        if (!string.IsNullOrEmpty(request.Status))
            query = query.Where(d => d.Status == request.Status);
        var deliveries = await query.OrderByDescending(d => d.CreatedAt).ThenBy(d => d.Id).Take(Math.Clamp(request.Limit, 1, 500)).ToListAsync(cancellationToken);
        var ids = deliveries.Select(d => d.SubscriptionId).Distinct().ToList();
        var urls = await db.Set<WebhookSubscription>().AsNoTracking().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Url, cancellationToken);
        return deliveries.Select(d => View(d, urls.GetValueOrDefault(d.SubscriptionId, ""))).ToList();
    }

    public async Task<CreatedWebhookSubscription> Handle(CreateWebhookSubscription request, CancellationToken cancellationToken)
    {
        var streets = await AdministeredStreetsAsync(cancellationToken);
        var streetId = request.StreetId ?? (streets.Count == 1 ? streets[0] : 0);
        if (!streets.Contains(streetId))
            throw new RequestValidationException([new FieldError("streetId", "Name one of the streets you administer.", "请指定您管理的街道。")]);
        var secret = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var subscription = new WebhookSubscription(streetId, request.Url.Trim(), request.Events!.Distinct(), secrets.Protect(secret), now);
        db.Add(subscription);
        await db.SaveChangesAsync(cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.WebhookCreated, Subject(subscription, units), null, Snapshot(subscription), now);
        await db.SaveChangesAsync(cancellationToken);
        return new(View(subscription, units), secret);
    }

    public async Task<WebhookSubscriptionView> Handle(SetWebhookSubscriptionActive request, CancellationToken cancellationToken)
    {
        var subscription = await AdministeredAsync(request.SubscriptionId, cancellationToken);
        if (subscription.Version != request.ExpectedVersion)
            throw new ConcurrentEditException($"webhook {subscription.Id}", request.ExpectedVersion, subscription.Version);
        var before = Snapshot(subscription);
        var now = clock.GetUtcNow().UtcDateTime;
        subscription.SetActive(request.Active, now);
        var units = await tree.GetAsync(db, cancellationToken);
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.WebhookChanged, Subject(subscription, units), before, Snapshot(subscription), now);
        await db.SaveChangesAsync(cancellationToken);
        return View(subscription, units);
    }

    public async Task<bool> Handle(DeleteWebhookSubscription request, CancellationToken cancellationToken)
    {
        var subscription = await AdministeredAsync(request.SubscriptionId, cancellationToken);
        var units = await tree.GetAsync(db, cancellationToken);
        await db.Set<WebhookDelivery>().Where(d => d.SubscriptionId == subscription.Id).ExecuteDeleteAsync(cancellationToken);
        db.Remove(subscription);
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.WebhookDeleted, Subject(subscription, units), Snapshot(subscription), null, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<WebhookDeliveryView> Handle(ReplayWebhookDelivery request, CancellationToken cancellationToken)
    {
        var streets = await AdministeredStreetsAsync(cancellationToken);
        var delivery = await db.Set<WebhookDelivery>().FirstOrDefaultAsync(d => d.Id == request.DeliveryId, cancellationToken);
        if (delivery is null || !streets.Contains(delivery.StreetId))
            throw new NotFoundException($"Webhook delivery {request.DeliveryId}");
        if (delivery.Status != WebhookDeliveryStatus.Dead)
            throw new RequestValidationException([new FieldError("deliveryId", "Only a dead letter is replayed; this delivery is still pending or has succeeded.", "只有已放弃的推送可以重发；此推送仍在进行或已成功。")]);
        var subscription = await db.Set<WebhookSubscription>().AsNoTracking().FirstAsync(s => s.Id == delivery.SubscriptionId, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var before = new WebhookReplaySnapshot(delivery.Id, delivery.EventId, delivery.Kind, delivery.Status);
        delivery.Replay(now);
        db.RecordAdministration(actors.Current, AdminAudit.Kinds.WebhookChanged, Subject(subscription, await tree.GetAsync(db, cancellationToken)), before,
            new WebhookReplaySnapshot(delivery.Id, delivery.EventId, delivery.Kind, delivery.Status), now);
        await db.SaveChangesAsync(cancellationToken);
        afterCommit.Add(signal.Wake);
        return View(delivery, subscription.Url);
    }

    private async Task<WebhookSubscription> AdministeredAsync(long id, CancellationToken cancellationToken)
    {
        var streets = await AdministeredStreetsAsync(cancellationToken);
        var subscription = await db.Set<WebhookSubscription>().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        // Another street's subscription does not exist for a street administrator.
        if (subscription is null || !streets.Contains(subscription.StreetId))
            throw new NotFoundException($"Webhook subscription {id}");
        return subscription;
    }

    private async Task<List<long>> AdministeredStreetsAsync(CancellationToken cancellationToken)
    {
        var administered = await AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        return (await tree.GetAsync(db, cancellationToken)).Streets.Where(s => s.Path.StartsWith(administered, StringComparison.Ordinal)).Select(s => s.Id).ToList();
    }

    private static AuditSubject Subject(WebhookSubscription s, OrgTree.Snapshot units) =>
        new(AdminAudit.Subjects.Webhook, s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Url, units.Find(s.StreetId)?.Path);

    private static WebhookSubscriptionSnapshot Snapshot(WebhookSubscription s) => new(s.Url, s.EventKinds, s.Active);

    private static WebhookSubscriptionView View(WebhookSubscription s, OrgTree.Snapshot units) =>
        new(s.Id, s.StreetId, units.Find(s.StreetId)?.Name ?? "", s.Url, s.EventKinds, s.Active, s.CreatedAt, s.Version);

    internal static WebhookDeliveryView View(WebhookDelivery d, string url) =>
        new(d.Id, d.SubscriptionId, url, d.EventId, d.Kind, d.Status, d.Attempts, d.NextAttemptAt, d.LastStatusCode, d.LastError, d.CreatedAt, d.DeliveredAt);
}
