using System.Text.Json;
using Mediation.Application.Features.Reports.Dashboard;
using Mediation.Application.Pipeline;
using MediatR;

namespace Mediation.Web.Api;

/// <summary>
/// The petition office's live feed as server-sent events: every second, the escalations newer than the last one sent,
/// within the viewer's scope. The browser's EventSource reconnects by itself and sends Last-Event-ID.
/// </summary>
internal static class EscalationFeed
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public static async Task StreamAsync(HttpContext context, long? after, IServiceScopeFactory scopes, ActorContext actors, TimeProvider clock)
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

        // The first read happens before the stream opens, so a viewer without a scope is refused with a status, not a dead stream.
        var fresh = await NewerAsync();
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
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
                await Task.Delay(Poll, clock, aborted);
                fresh = await NewerAsync();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The browser went away; nothing to clean up.
        }
    }
}
