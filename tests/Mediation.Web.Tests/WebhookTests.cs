using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Application.Pipeline;
using Mediation.Infrastructure.Webhooks;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Web.Tests;

/// <summary>
/// Outbound events against a receiver on 127.0.0.1: the outbox row is written with the case change, signed, retried with
/// a short backoff (set by options), dead-lettered after its last attempt and replayed with the same delivery id.
/// </summary>
public sealed class WebhookTests
{
    private static readonly string[] NoKinds = [];
    private static readonly string[] ClosedOnly = ["case.closed"];

    private static ApiHost Host(int maxAttempts = 5, Action<IServiceCollection>? services = null) => new()
    {
        Settings =
        {
            ["Mediation:Webhooks:MaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mediation:Webhooks:BaseDelay"] = "00:00:00.050",
            ["Mediation:Webhooks:Poll"] = "00:00:00.200",
            ["Mediation:Webhooks:Timeout"] = "00:00:05",
        },
        TestServices = services,
    };

    [Fact]
    public async Task AReceiverThatFailsTwice_GetsOneDeliverySucceededOnTheThirdAttempt_SignedAndWithOneDeliveryId()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 2);
        using var host = Host();
        var admin = await host.SignedInAs("admin");
        var (subscriptionId, secret) = await SubscribeAsync(admin, receiver.Url, "case.escalated");

        var (caseId, caseNumber) = await EscalatedCaseAsync(host);

        var delivery = await WaitForAsync(admin, caseId, d => d.GetProperty("status").GetString() == "Succeeded");
        Assert.Equal(3, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal(subscriptionId, delivery.GetProperty("subscriptionId").GetInt64());
        Assert.Single(await DeliveriesOfAsync(admin, caseId));

        var received = receiver.Requests.Where(r => r.Body.Contains(caseNumber, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, received.Count);
        Assert.All(received, r =>
        {
            Assert.Equal(delivery.GetProperty("id").GetString(), r.Headers["X-Mediation-Delivery"]);
            Assert.Equal("case.escalated", r.Headers["X-Mediation-Event"]);
            Assert.Equal(WebhookDispatcher.Sign(secret, r.Headers["X-Mediation-Timestamp"], r.Body), r.Headers["X-Mediation-Signature"]);
        });
        Assert.Equal([500, 500, 200], received.Select(r => r.Answered));
        var body = JsonDocument.Parse(received[2].Body).RootElement;
        Assert.Equal(("case.escalated", caseNumber, "station"), (body.GetProperty("kind").GetString(), body.GetProperty("caseNumber").GetString(), body.GetProperty("level").GetString()));
        // No party particulars ride along: the demo's applicant and any phone stay home.
        Assert.DoesNotContain("王秀英", received[2].Body, StringComparison.Ordinal);
        Assert.DoesNotContain("phone", received[2].Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheSecretIsShownOnceAndStoredProtected()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 0);
        using var host = Host();
        var admin = await host.SignedInAs("admin");
        var (_, secret) = await SubscribeAsync(admin, receiver.Url, "case.closed");

        Assert.DoesNotContain(secret, await admin.GetStringAsync("/api/admin/webhooks"), StringComparison.Ordinal);
        await using var connection = await host.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT secret_protected FROM webhook_subscriptions";
        var stored = (string)(await command.ExecuteScalarAsync())!;
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Line.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AfterTheLastAttemptFails_TheDeliveryIsDead_AndAReplaySucceedsWithTheSameId()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 3);
        using var host = Host(maxAttempts: 3);
        var admin = await host.SignedInAs("admin");
        await SubscribeAsync(admin, receiver.Url, "case.escalated");
        var (caseId, caseNumber) = await EscalatedCaseAsync(host);

        var dead = await WaitForAsync(admin, caseId, d => d.GetProperty("status").GetString() == "Dead");
        Assert.Equal((3, 500), (dead.GetProperty("attempts").GetInt32(), dead.GetProperty("lastStatusCode").GetInt32()));
        var id = dead.GetProperty("id").GetString()!;
        var deadLetters = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/webhooks/deliveries?status=Dead")).RootElement;
        Assert.Contains(deadLetters.EnumerateArray(), d => d.GetProperty("id").GetString() == id);

        var replayed = await admin.PostAsync($"/api/admin/webhooks/deliveries/{id}/replay", null);
        Assert.True(replayed.IsSuccessStatusCode, await replayed.Content.ReadAsStringAsync());
        var succeeded = await WaitForAsync(admin, caseId, d => d.GetProperty("status").GetString() == "Succeeded");
        Assert.Equal((id, 1), (succeeded.GetProperty("id").GetString(), succeeded.GetProperty("attempts").GetInt32()));
        var received = receiver.Requests.Where(r => r.Body.Contains(caseNumber, StringComparison.Ordinal)).ToList();
        Assert.Equal([500, 500, 500, 200], received.Select(r => r.Answered));
        Assert.All(received, r => Assert.Equal(id, r.Headers["X-Mediation-Delivery"]));
        var audit = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/audit?limit=50")).RootElement.GetProperty("entries").EnumerateArray();
        Assert.Contains(audit, e => e.GetProperty("action").GetString() == "webhook.changed" && e.GetProperty("subjectLabel").GetString() == receiver.Url);

        // Replaying what is no longer dead is refused, naming the delivery.
        var again = await admin.PostAsync($"/api/admin/webhooks/deliveries/{id}/replay", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Contains("deliveryId", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventKindNotSubscribed_WritesNothing()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 0);
        using var host = Host();
        var admin = await host.SignedInAs("admin");
        await SubscribeAsync(admin, receiver.Url, "case.closed");
        var (caseId, _) = await EscalatedCaseAsync(host);

        // The outbox is written in the escalation's own transaction: nothing there now means nothing ever.
        Assert.Empty(await DeliveriesOfAsync(admin, caseId));
        Assert.Equal(0L, await CountRowsAsync(host, caseId));
    }

    [Fact]
    public async Task AnEscalationRolledBack_LeavesNoOutboxRow()
    {
        await using var receiver = await Receiver.StartAsync(failFirst: 0);
        using var host = Host(services: s => s.AddScoped(typeof(IPipelineBehavior<,>), typeof(FailAfterEscalation<,>)));
        var admin = await host.SignedInAs("admin");
        await SubscribeAsync(admin, receiver.Url, "case.escalated");
        var village = await host.SignedInAs("cun01-1");
        var caseId = await AcceptedCaseAsync(village);

        var escalated = await village.PostAsJsonAsync($"/api/cases/{caseId}/escalate", new { expectedVersion = 2, reason = "涉及多户" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, escalated.StatusCode);

        Assert.Equal(0L, await CountRowsAsync(host, caseId));
        var stored = JsonDocument.Parse(await village.GetStringAsync($"/api/cases/{caseId}")).RootElement;
        Assert.Equal(2, stored.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task ABadUrlOrNoEventKind_IsRefusedNamingTheField()
    {
        using var host = Host();
        var admin = await host.SignedInAs("admin");
        foreach (var url in new[] { "ftp://127.0.0.1/hook", "/relative/hook", "http://user:secret@127.0.0.1/hook", "" })
        {
            var response = await admin.PostAsJsonAsync("/api/admin/webhooks", new { url, events = ClosedOnly });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), problem.ToString());
        }

        var noEvents = await admin.PostAsJsonAsync("/api/admin/webhooks", new { url = "https://example.org/hook", events = NoKinds });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noEvents.StatusCode);
        Assert.Contains("\"events\"", await noEvents.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("[]", await admin.GetStringAsync("/api/admin/webhooks"));
    }

    private static async Task<(long Id, string Secret)> SubscribeAsync(HttpClient admin, string url, string kind)
    {
        var response = await admin.PostAsJsonAsync("/api/admin/webhooks", new { url, events = new[] { kind } });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (created.GetProperty("subscription").GetProperty("id").GetInt64(), created.GetProperty("secret").GetString()!);
    }

    private static async Task<(long Id, string CaseNumber)> EscalatedCaseAsync(ApiHost host)
    {
        var village = await host.SignedInAs("cun01-1");
        var id = await AcceptedCaseAsync(village);
        var escalated = await village.PostAsJsonAsync($"/api/cases/{id}/escalate", new { expectedVersion = 2, reason = "涉及多户" });
        Assert.True(escalated.StatusCode == HttpStatusCode.OK, await escalated.Content.ReadAsStringAsync());
        var stored = JsonDocument.Parse(await village.GetStringAsync($"/api/cases/{id}")).RootElement;
        return (id, stored.GetProperty("caseNumber").GetString()!);
    }

    private static async Task<long> AcceptedCaseAsync(HttpClient village)
    {
        var registered = await village.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary = "外部推送：院墙渗水", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "王秀英", phone = "13800138000" }, new { role = "respondent", name = "李德胜" } },
        });
        Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetInt64();
        var accepted = await village.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 1 });
        Assert.True(accepted.StatusCode == HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        return id;
    }

    private static async Task<List<JsonElement>> DeliveriesOfAsync(HttpClient admin, long caseId)
    {
        var all = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/webhooks/deliveries?limit=500")).RootElement;
        return all.EnumerateArray().Where(d => d.GetProperty("eventId").GetString()!.StartsWith($"{caseId}-", StringComparison.Ordinal)).ToList();
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient admin, long caseId, Func<JsonElement, bool> done)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await DeliveriesOfAsync(admin, caseId)).FirstOrDefault(done) is { ValueKind: JsonValueKind.Object } found)
                return found;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"No delivery of case {caseId} reached the expected status: {string.Join(", ", await DeliveriesOfAsync(admin, caseId))}");
    }

    private static async Task<long> CountRowsAsync(ApiHost host, long caseId)
    {
        await using var connection = await host.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM webhook_deliveries WHERE event_id LIKE '{caseId}-%'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Refuses every escalation after its handler ran: inside the transaction, after the outbox row was written.</summary>
    private sealed class FailAfterEscalation<TRequest, TResponse> : IPipelineBehavior<TRequest, TResponse>
        where TRequest : notnull
    {
        public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
        {
            var response = await next();
            if (request is EscalateCase)
                throw new RequestValidationException([new FieldError("test", "Rolled back after the handler, on purpose.")]);
            return response;
        }
    }

    /// <summary>An HTTP receiver on 127.0.0.1 (a free port) that answers 500 to each delivery's first attempts, then 200.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, int> _seen = new();

        private Receiver(WebApplication app) => _app = app;

        public ConcurrentQueue<(Dictionary<string, string> Headers, string Body, int Answered)> RequestsQueue { get; } = new();

        public IReadOnlyList<(Dictionary<string, string> Headers, string Body, int Answered)> Requests => [.. RequestsQueue];

        public string Url { get; private set; } = "";

        public int FailFirst { get; set; }

        public static async Task<Receiver> StartAsync(int failFirst)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var receiver = new Receiver(app) { FailFirst = failFirst };
            app.MapPost("/hook", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                // Counted per delivery: other cases' deliveries (the demo's timers) do not use up the failures.
                var seen = receiver._seen.AddOrUpdate(context.Request.Headers["X-Mediation-Delivery"].ToString(), 1, (_, n) => n + 1);
                var answer = seen <= receiver.FailFirst ? 500 : 200;
                receiver.RequestsQueue.Enqueue((context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body, answer));
                return Results.StatusCode(answer);
            });
            await app.StartAsync();
            receiver.Url = app.Urls.First() + "/hook";
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
