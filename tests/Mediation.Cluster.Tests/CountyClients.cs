using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mediation.Cluster.Tests;

/// <summary>A person's browser or API client: one cookie jar, pointed at one address (the proxy or a node).</summary>
public sealed class CountyClient : IDisposable
{
    private readonly HttpClient _http;

    public CountyClient(Uri address, CookieContainer? cookies = null, TimeSpan? timeout = null)
    {
        Cookies = cookies ?? new CookieContainer();
        // Sign-ins queue on the nodes' one low-priority hashing thread, hence the long timeout. A new connection per few seconds at most, so the proxy's round robin sees fresh connections too.
        var handler = new SocketsHttpHandler { CookieContainer = Cookies, UseCookies = true, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromSeconds(2) };
        _http = new HttpClient(handler) { BaseAddress = address, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
    }

    /// <summary>The jar: cookies are kept per host, so the same jar works against the proxy and either node on 127.0.0.1.</summary>
    public CookieContainer Cookies { get; }

    public HttpClient Http => _http;

    /// <summary>The same cookies sent to another address (the proxy, or the other node).</summary>
    public CountyClient RebasedTo(Uri address) => new(address, Cookies);

    public static async Task<CountyClient> SignedInAsync(Uri address, string userName, TimeSpan? timeout = null)
    {
        var client = new CountyClient(address, timeout: timeout);
        var response = await client._http.PostAsJsonAsync("/api/session", new { userName, password = "Demo@2026" });
        Assert.True(response.IsSuccessStatusCode, $"{userName} could not sign in at {address}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>A POST with an idempotency key; answers the status and body, or null status when no answer came at all.</summary>
    public async Task<(HttpStatusCode? Status, JsonElement Body)> PostAsync(string path, object body, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        try
        {
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var json = text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement.Clone() : default;
            return (response.StatusCode, json);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return (null, default);
        }
    }

    public async Task<HttpStatusCode?> GetStatusAsync(string path)
    {
        try
        {
            using var response = await _http.GetAsync(path);
            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// The petition office's live escalation feed as a browser's EventSource reads it: on a cut stream it reconnects after
/// a moment, sending Last-Event-ID, and keeps every event it was sent.
/// </summary>
public sealed class FeedReader : IAsyncDisposable
{
    private readonly CountyClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private long _last;

    public FeedReader(CountyClient client)
    {
        _client = client;
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Case id of every escalation event received, by event id.</summary>
    public ConcurrentDictionary<long, long> Received { get; } = new();

    /// <summary>Streams opened that answered 200.</summary>
    public int Connections => _connections;

    /// <summary>Statuses of refused attempts to open the stream (401 when a node did not accept the cookie).</summary>
    public ConcurrentBag<HttpStatusCode> Refusals { get; } = [];

    private int _connections;

    public async Task<bool> WaitForCaseAsync(long caseId, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            if (Received.Values.Contains(caseId))
                return true;
            await Task.Delay(100);
        }
        return Received.Values.Contains(caseId);
    }

    private async Task ReadAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/feed/escalations");
                if (_last > 0)
                    request.Headers.Add("Last-Event-ID", _last.ToString(System.Globalization.CultureInfo.InvariantCulture));
                using var response = await _client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Refusals.Add(response.StatusCode);
                }
                else
                {
                    Interlocked.Increment(ref _connections);
                    await using var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
                    using var reader = new StreamReader(stream);
                    long? id = null;
                    while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    {
                        if (line.StartsWith("id: ", StringComparison.Ordinal))
                            id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
                        else if (line.StartsWith("data: ", StringComparison.Ordinal) && id is { } eventId)
                        {
                            using var data = JsonDocument.Parse(line[6..]);
                            Received[eventId] = data.RootElement.GetProperty("caseId").GetInt64();
                            _last = Math.Max(_last, eventId);
                            id = null;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                // The node went away mid-stream: reconnect, as EventSource does.
            }
            try
            {
                await Task.Delay(250, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
