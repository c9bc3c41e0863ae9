using System.Text.Json;
using Mediation.Application.Features.LiveFeeds;
using Mediation.Application.Features.Reports.Dashboard;
using Mediation.Application.Pipeline;
using MediatR;

namespace Mediation.Web.Api;

/// <summary>
/// The petition office's live feed as server-sent events: the escalations newer than the last one sent, within the
/// viewer's scope, read each time an escalation commits on any node (no polling), with a comment line as a heartbeat
/// so proxies keep the stream open. The browser's EventSource reconnects by itself and sends Last-Event-ID.
/// </summary>
internal static class EscalationFeed
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Well inside the idle timeouts of nginx and haproxy (60 s by default).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(25);

    public static async Task StreamAsync(HttpContext context, long? after, IServiceScopeFactory scopes, ActorContext actors, LiveFeedSignals signals, TimeProvider clock)
    {
        var actor = actors.Current;
        var last = long.TryParse(context.Request.Headers["Last-Event-ID"], out var resumed) ? resumed : after ?? 0;
        var aborted = context.RequestAborted;

        async Task<IReadOnlyList<Escalation>> NewerAsync()
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ActorContext>().Use(actor);
            return (await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new GetDashboard(last), aborted)).Escalations;
        }

        // Taken before each read, so an escalation committed between the read and the wait still wakes the stream.
        var news = signals.Next(LiveFeed.Escalations);
        // The first read happens before the stream opens, so a viewer without a scope is refused with a status, not a dead stream.
        var fresh = await NewerAsync();
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        // nginx would otherwise hold the events in its buffer.
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync(": connected\n\n", aborted);
        await context.Response.Body.FlushAsync(aborted);
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                foreach (var e in fresh.OrderBy(e => e.EventId))
                {
                    await context.Response.WriteAsync($"id: {e.EventId}\ndata: {JsonSerializer.Serialize(e, Json)}\n\n", aborted);
                    last = Math.Max(last, e.EventId);
                }
                await context.Response.Body.FlushAsync(aborted);

                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                var heartbeat = Task.Delay(Heartbeat, clock, quiet.Token);
                if (await Task.WhenAny(news, heartbeat) != news)
                {
                    aborted.ThrowIfCancellationRequested();
                    await context.Response.WriteAsync(": heartbeat\n\n", aborted);
                    await context.Response.Body.FlushAsync(aborted);
                    fresh = [];
                    continue;
                }
                await quiet.CancelAsync();
                news = signals.Next(LiveFeed.Escalations);
                fresh = await NewerAsync();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The browser went away; nothing to clean up.
        }
    }
}
