using System.Data.Common;
using System.Text.Json;
using Mediation.Application.Persistence;
using Mediation.Domain.Cases;
using Mediation.Domain.FollowUps;
using Mediation.Domain.Supervision;
using Mediation.Application.Pipeline;
using Mediation.Workflows.Actions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mediation.Application.Features.Webhooks;

/// <summary>The case events a subscriber can be told of.</summary>
public static class WebhookKinds
{
    public const string Escalated = "case.escalated";
    public const string MajorDispute = "case.majorDispute";
    public const string Overdue = "case.overdue";
    public const string Closed = "case.closed";
    public const string FollowUpUnsatisfied = "followUp.unsatisfied";

    public static readonly IReadOnlyList<string> All = [Escalated, MajorDispute, Overdue, Closed, FollowUpUnsatisfied];

    /// <summary>The kinds a case's new events and notices are news of (a time limit passing shows as its reminder to the holding unit).</summary>
    public static IEnumerable<(string Kind, CaseEvent? Event)> Of(DisputeCase @case)
    {
        foreach (var e in @case.NewEvents)
        {
            if (CaseActions.EscalationActions.Contains(e.Action))
                yield return (Escalated, e);
            if (e.Action == CaseActions.EscalateOnExpiry)
                yield return (Overdue, e);
            if (e.Action == CaseActions.Register && @case.IsMajor)
                yield return (MajorDispute, e);
            if (e.Action == CaseActions.Close)
                yield return (Closed, e);
            if (e.Action == CaseActions.RecordFollowUp && IsUnsatisfied(e.Payload))
                yield return (FollowUpUnsatisfied, e);
        }
        if (@case.NewNotices.Any(n => n.Kind == Notice.Kinds.TimeLimitPassed && n.RecipientUnitId == @case.UnitId))
            yield return (Overdue, null);
    }

    private static bool IsUnsatisfied(string payload)
    {
        using var json = JsonDocument.Parse(payload);
        static bool Is(JsonElement root, string name, string text, int number) =>
            root.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.String ? string.Equals(v.GetString(), text, StringComparison.OrdinalIgnoreCase) : v.ValueKind == JsonValueKind.Number && v.GetInt32() == number);
        return Is(json.RootElement, "satisfaction", nameof(Satisfaction.Unsatisfied), (int)Satisfaction.Unsatisfied)
            || Is(json.RootElement, "performance", nameof(Performance.NotPerformed), (int)Performance.NotPerformed);
    }
}

/// <summary>Keeps a subscription's signing secret unreadable at rest but recoverable to sign (the shared key ring).</summary>
public interface IWebhookSecrets
{
    string Protect(string secret);

    string Unprotect(string protectedSecret);
}

public static class WebhookDeliveryStatus
{
    public const string Pending = "Pending";
    public const string Succeeded = "Succeeded";
    public const string Dead = "Dead";
}

/// <summary>An administrator's order to tell an address of a street's case events of some kinds.</summary>
public sealed class WebhookSubscription
{
    private WebhookSubscription()
    {
        Url = Events = SecretProtected = "";
    }

    internal WebhookSubscription(long streetId, string url, IEnumerable<string> events, string secretProtected, DateTime nowUtc)
    {
        StreetId = streetId;
        Url = url;
        Events = string.Join(',', events);
        SecretProtected = secretProtected;
        Active = true;
        CreatedAt = UpdatedAt = nowUtc;
    }

    public long Id { get; private set; }
    public long StreetId { get; private set; }
    public string Url { get; private set; }

    /// <summary>The kinds, comma-separated.</summary>
    public string Events { get; private set; }

    public string SecretProtected { get; private set; }
    public bool Active { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }
    public int Version { get; private set; }

    public IReadOnlyList<string> EventKinds => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);

    internal void SetActive(bool active, DateTime nowUtc)
    {
        Active = active;
        UpdatedAt = nowUtc;
        Version++;
    }
}

/// <summary>One event for one subscription: written with the case change, then delivered, retried, and succeeded or dead.</summary>
public sealed class WebhookDelivery
{
    private WebhookDelivery()
    {
        Id = EventId = Kind = Body = Status = "";
    }

    public string Id { get; private set; }
    public long SubscriptionId { get; private set; }
    public long StreetId { get; private set; }
    public string EventId { get; private set; }
    public string Kind { get; private set; }
    public string Body { get; private set; }
    public string Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTime NextAttemptAt { get; private set; }
    public int? LastStatusCode { get; private set; }
    public string? LastError { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? DeliveredAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }

    internal void Attempted(int? statusCode, string? error, bool succeeded, bool dead, DateTime nextAttemptAt, DateTime nowUtc)
    {
        Attempts++;
        LastStatusCode = statusCode;
        LastError = error is { Length: > 500 } ? error[..500] : error;
        Status = succeeded ? WebhookDeliveryStatus.Succeeded : dead ? WebhookDeliveryStatus.Dead : WebhookDeliveryStatus.Pending;
        NextAttemptAt = nextAttemptAt;
        DeliveredAt = succeeded ? nowUtc : null;
        UpdatedAt = nowUtc;
    }

    /// <summary>A dead letter goes round again with the same id (receivers dedupe on it) and a fresh attempt budget.</summary>
    internal void Replay(DateTime nowUtc)
    {
        Status = WebhookDeliveryStatus.Pending;
        Attempts = 0;
        NextAttemptAt = UpdatedAt = nowUtc;
    }

    internal void Lease(DateTime until) => NextAttemptAt = until;
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> builder)
    {
        builder.ToTable("WebhookSubscriptions");
        builder.Property(s => s.Url).HasMaxLength(500);
        builder.Property(s => s.Events).HasMaxLength(200);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.Ignore(s => s.EventKinds);
        builder.HasIndex(s => s.StreetId);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("WebhookDeliveries");
        builder.Property(d => d.Id).HasMaxLength(36);
        builder.Property(d => d.EventId).HasMaxLength(60);
        builder.Property(d => d.Kind).HasMaxLength(40);
        builder.Property(d => d.Status).HasMaxLength(20);
        builder.Property(d => d.LastError).HasMaxLength(500);
        builder.HasIndex(d => new { d.Status, d.NextAttemptAt });
        builder.HasIndex(d => new { d.StreetId, d.CreatedAt });
    }
}

/// <summary>
/// Writes an outbox row per event kind and matching active subscription of the case's street, in the transaction that
/// saves the case: a change rolled back leaves no row, a committed one is delivered by the webhook dispatcher.
/// </summary>
public sealed class WebhookOutbox(MediationDbContext db, Org.OrgTree tree, AfterCommit afterCommit, WebhookSignal signal)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task WriteAsync(DisputeCase @case, CancellationToken cancellationToken)
    {
        var news = WebhookKinds.Of(@case).DistinctBy(n => n.Kind).ToList();
        if (news.Count == 0)
            return;
        var streetId = long.Parse(@case.UnitPath.AsSpan(1, @case.UnitPath.IndexOf('/', 1) - 1), System.Globalization.CultureInfo.InvariantCulture);
        var subscriptions = await db.Set<WebhookSubscription>().AsNoTracking().Where(s => s.Active && s.StreetId == streetId)
            .Select(s => new { s.Id, s.Events }).ToListAsync(cancellationToken);
        if (subscriptions.Count == 0)
            return;
        var units = await tree.GetAsync(db, cancellationToken);
        var unit = units.Find(@case.UnitId);
        var street = units.Find(streetId);
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Webhook events are written inside the command's transaction.");
        foreach (var (kind, e) in news)
        {
            var eventId = $"{@case.Id}-{e?.Sequence ?? @case.Version}-{kind}";
            var occurredAt = e?.OccurredAt ?? @case.UpdatedAt;
            // What a receiver needs to act; no party's name, phone or ID number.
            var body = JsonSerializer.Serialize(new
            {
                eventId,
                kind,
                occurredAt,
                caseNumber = @case.CaseNumber,
                state = @case.State,
                level = @case.Level,
                unit = new { code = unit?.Code, name = unit?.Name },
                street = new { code = street?.Code, name = street?.Name },
                isMajor = @case.IsMajor,
                deadlineAt = @case.DeadlineAt,
            }, Json);
            foreach (var s in subscriptions.Where(s => s.Events.Split(',').Contains(kind)))
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText =
                    "INSERT INTO webhook_deliveries (id, subscription_id, street_id, event_id, kind, body, status, attempts, next_attempt_at, created_at, updated_at) " +
                    "VALUES (@id, @subscription, @street, @event, @kind, @body, 'Pending', 0, @now, @now, @now)";
                Add(command, "@id", Guid.NewGuid().ToString("D"));
                Add(command, "@subscription", s.Id);
                Add(command, "@street", streetId);
                Add(command, "@event", eventId);
                Add(command, "@kind", kind);
                Add(command, "@body", body);
                Add(command, "@now", occurredAt);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        afterCommit.Add(signal.Wake);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}

/// <summary>Wakes this node's webhook dispatcher when a committed change queued deliveries (other nodes find them on their poll).</summary>
public sealed class WebhookSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Wake() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

/// <summary>A host without a key ring (the command line, the application tests) cannot create or sign webhooks; the web host replaces this.</summary>
internal sealed class NoWebhookSecrets : IWebhookSecrets
{
    public string Protect(string secret) => throw new InvalidOperationException("This host has no key ring to protect webhook secrets with.");

    public string Unprotect(string protectedSecret) => throw new InvalidOperationException("This host has no key ring to unprotect webhook secrets with.");
}
