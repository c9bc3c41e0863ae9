using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Mediation.Application.Features.Webhooks;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Mediation.Infrastructure.Webhooks;

/// <summary>The "Mediation:Webhooks" section: how deliveries are sent and retried.</summary>
public sealed class WebhookOptions
{
    /// <summary>Attempts in all, the first included, before a delivery is dead.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failure; each further one doubles it, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the outbox is looked at when no change on this node woke the dispatcher (changes on other nodes).</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(2);

    public int Batch { get; set; } = 20;
}

/// <summary>
/// Sends the outbox. A round leases due deliveries (another node skips them), posts each signed body to its
/// subscription's address (no redirects, a timeout), and retries with exponential backoff through Polly; every attempt
/// is recorded in the row (attempts, next attempt time, last status or error) before the wait, so a restart or another
/// node carries on from there once the lease runs out. A delivery out of attempts is dead until an administrator replays it.
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    public const string SignatureHeader = "X-Mediation-Signature";

    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _clock;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly WebhookOptions _options;
    private readonly WebhookSignal _signal;
    private readonly HttpClient _http;

    public WebhookDispatcher(IServiceScopeFactory scopes, TimeProvider clock, ILogger<WebhookDispatcher> logger, MediationOptions options, WebhookSignal signal)
    {
        (_scopes, _clock, _logger, _options, _signal) = (scopes, clock, logger, options.Webhooks, signal);
        // Only the address the administrator entered: a redirect could point anywhere.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false }) { Timeout = _options.Timeout };
    }

    // Held past the planned retry time by one timeout and a margin, so no other node starts while this one still sends.
    private TimeSpan Lease => _options.Timeout + _options.Timeout + TimeSpan.FromSeconds(5);

    /// <summary>The signature a receiver checks: hex HMAC-SHA256 of the timestamp, a dot and the body, under the subscription's secret.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var woken = _signal.Next;
                var claimed = await SendAsync(new ClaimWebhookDeliveries(_options.Batch, Lease), stoppingToken);
                if (claimed.Count == 0)
                {
                    await Task.WhenAny(woken, Task.Delay(_options.Poll, _clock, stoppingToken));
                    continue;
                }
                // Each delivery runs its own retries; the next round leases whatever else came due meanwhile.
                foreach (var send in claimed)
                    _ = DeliverAsync(send, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException)
            {
                _logger.LogError(ex, "Webhook dispatch failed; retrying");
                await Task.Delay(_options.Poll, _clock, stoppingToken);
            }
        }
    }

    private readonly record struct Attempt(bool Succeeded, int? StatusCode, string? Error);

    private async Task DeliverAsync(WebhookSend send, CancellationToken cancellationToken)
    {
        try
        {
            string secret;
            await using (var scope = _scopes.CreateAsyncScope())
                secret = scope.ServiceProvider.GetRequiredService<IWebhookSecrets>().Unprotect(send.SecretProtected);
            var left = _options.MaxAttempts - send.Attempts - 1;
            var pipeline = left <= 0 ? ResiliencePipeline<Attempt>.Empty : new ResiliencePipelineBuilder<Attempt>().AddRetry(new RetryStrategyOptions<Attempt>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Succeeded: false }),
                MaxRetryAttempts = left,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Backoff(send.Attempts + args.AttemptNumber + 1)),
                OnRetry = args => new ValueTask(SendAsync(new RecordWebhookAttempt(send.DeliveryId, false, args.Outcome.Result.StatusCode, args.Outcome.Result.Error,
                    _clock.GetUtcNow().UtcDateTime + args.RetryDelay + Lease), cancellationToken)),
            }).Build();
            var last = await pipeline.ExecuteAsync(async token => await PostAsync(send, secret, token), cancellationToken);
            await SendAsync(new RecordWebhookAttempt(send.DeliveryId, last.Succeeded, last.StatusCode, last.Error, null), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the lease runs out and a node takes the delivery up from its recorded attempts.
        }
        catch (Exception ex)
        {
            _logger.LogError("Webhook delivery {DeliveryId} could not be recorded ({Error}); it is taken up again when its lease ends", send.DeliveryId, ex.GetType().Name);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var delay = _options.BaseDelay * Math.Pow(2, Math.Min(failures - 1, 30));
        return delay > _options.MaxDelay ? _options.MaxDelay : delay;
    }

    private async Task<Attempt> PostAsync(WebhookSend send, string secret, CancellationToken cancellationToken)
    {
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, send.Url) { Content = new StringContent(send.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Mediation-Event", send.Kind);
        request.Headers.Add("X-Mediation-Delivery", send.DeliveryId);
        request.Headers.Add("X-Mediation-Timestamp", timestamp);
        request.Headers.Add(SignatureHeader, Sign(secret, timestamp, send.Body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Mediation-Webhooks", "1.0"));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? new(true, code, null) : new(false, code, $"HTTP {code} {response.ReasonPhrase}");
        }
        catch (HttpRequestException ex)
        {
            return new(false, null, ex.HttpRequestError.ToString() + ": " + ex.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(false, null, $"Timed out after {_options.Timeout.TotalSeconds:0} s");
        }
    }

    private async Task<T> SendAsync<T>(IRequest<T> request, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(Actor.SystemAt(0, "/"));
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, cancellationToken);
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
