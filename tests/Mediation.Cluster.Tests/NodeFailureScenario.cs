using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;

namespace Mediation.Cluster.Tests;

/// <summary>
/// One run of the county losing a node (issue item 5), shared by the checks in <see cref="NodeFailureTests"/>:
/// two nodes and haproxy on one PostgreSQL database; village mediators register, accept and escalate cases through the
/// proxy (retrying a lost answer with the same Idempotency-Key) while hundreds of level time limits come due; node A is
/// frozen (SIGSTOP) at a moment its database connections hold timer rows it has claimed and not committed, those rows
/// are read, and then it is SIGKILLed. The load goes on against the survivor; then everything is read back.
/// </summary>
public sealed class NodeFailureScenario : IAsyncLifetime
{
    public const int TimerCases = 300;

    // Village, then station: both levels escalate on expiry, so each wave is one escalation per case.
    private const int Waves = 2;
    private const string Password = "Demo@2026";
    private static readonly string[] LoadAccounts = ["cun01-1", "cun02-1", "cun03-1", "cun04-1", "cun05-1", "cun06-1"];
    private static readonly string[] TimerAccounts = ["cun11-1", "cun12-1", "cun13-1", "cun14-1"];

    private CountyCluster? _cluster;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public CountyCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster did not start.");

    /// <summary>Every write the load was told succeeded: the case, the version it answered and the action.</summary>
    public ConcurrentBag<Acknowledged> Acknowledgements { get; } = [];

    /// <summary>Answers the load got that were neither success nor "no answer" (a cookie another node did not honour is 401).</summary>
    public ConcurrentBag<HttpStatusCode> Refusals { get; } = [];

    /// <summary>Requests that got no answer at all, or 502/503 from the proxy, and were retried with the same key.</summary>
    public int Retries => _retries;

    private int _retries;

    public IReadOnlyList<long> TimerCaseIds { get; private set; } = [];

    /// <summary>The level-deadline timers made due during the load (the nodes fire each wave in batches of a hundred).</summary>
    public IReadOnlyList<long> DueTimerIds { get; private set; } = [];

    /// <summary>Timers node A's open transaction had claimed (row locks) and not committed when it was killed.</summary>
    public IReadOnlyList<long> ClaimedByTheDeadNode { get; private set; } = [];

    public DateTime KilledAt { get; private set; }

    /// <summary>Statuses the proxy answered, after the kill, to a cookie that node A had issued before it.</summary>
    public IReadOnlyList<HttpStatusCode?> DeadNodeCookieAfterKill { get; private set; } = [];

    /// <summary>Whether a sign-in form served by node A was accepted by node B (antiforgery token and cookie).</summary>
    public HttpStatusCode? FormFromAPostedToB { get; private set; }

    /// <summary>The session cookie a node set for a sign-in the proxy forwarded as HTTPS.</summary>
    public string SessionCookieOverForwardedHttps { get; private set; } = "";

    /// <summary>An escalation written on node A reached a feed connected straight to node B, before the kill.</summary>
    public bool EscalationOnAReachedFeedOnB { get; private set; }

    /// <summary>An escalation written through the proxy after the kill reached both feeds opened through the proxy.</summary>
    public IReadOnlyList<bool> EscalationAfterKillReachedProxyFeeds { get; private set; } = [];

    public IReadOnlyList<int> ProxyFeedConnections { get; private set; } = [];

    /// <summary>What happened when, for the failure messages.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public async Task InitializeAsync()
    {
        try
        {
            await RunAsync();
        }
        catch
        {
            // The processes go now: a fixture that failed to initialise may not be disposed.
            await DisposeAsync();
            throw;
        }
    }

    private async Task RunAsync()
    {
        _cluster = await CountyCluster.StartAsync();
        Note($"cluster up: node a :{Cluster.NodeA.Port}, node b :{Cluster.NodeB.Port}, proxy {Cluster.Proxy}");
        await using (var db = await Cluster.OpenAsync())
            await Execute(db, "CREATE EXTENSION IF NOT EXISTS pgrowlocks");

        await AntiforgeryAcrossNodesAsync();
        await ForwardedSchemeAsync();

        // Cases whose time limit will pass during the load, registered straight on node B (setup, not the load).
        TimerCaseIds = await RegisterTimerCasesAsync();
        Note($"{TimerCaseIds.Count} timer cases registered");

        using var onA = await CountyClient.SignedInAsync(Cluster.NodeA.Url, "cun07-1");
        await using var feedOnB = new FeedReader(await CountyClient.SignedInAsync(Cluster.NodeB.Url, "zhuren", Timeout.InfiniteTimeSpan));
        await using var proxyFeed1 = new FeedReader(await CountyClient.SignedInAsync(Cluster.Proxy, "xinfang1", Timeout.InfiniteTimeSpan));
        await using var proxyFeed2 = new FeedReader(await CountyClient.SignedInAsync(Cluster.Proxy, "xinfang2", Timeout.InfiniteTimeSpan));
        await Task.Delay(1500);

        // A live feed on one node hears what another node writes.
        var escalatedOnA = await RegisterAcceptEscalateAsync(onA, "节点A上报");
        EscalationOnAReachedFeedOnB = escalatedOnA is { } a && await feedOnB.WaitForCaseAsync(a, TimeSpan.FromSeconds(10));
        Note($"escalation on node a reached the feed on node b: {EscalationOnAReachedFeedOnB}");

        var clients = new List<CountyClient>();
        foreach (var account in LoadAccounts)
            clients.Add(await CountyClient.SignedInAsync(Cluster.Proxy, account));
        using var stopLoad = new CancellationTokenSource();
        var load = clients.Select(c => Task.Run(() => LoadAsync(c, stopLoad.Token))).ToList();

        await Task.Delay(2000);
        await KillNodeAWhileItHoldsTimersAsync();
        await Task.Delay(5000);
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);
        foreach (var client in clients)
            client.Dispose();
        Note($"load stopped: {Acknowledgements.Count} acknowledged, {Retries} retried, refusals {string.Join(",", Refusals.GroupBy(r => r).Select(g => $"{(int)g.Key}x{g.Count()}"))}");

        await WaitForTimersAsync(TimeSpan.FromSeconds(40));

        // The cookie node A issued, through the proxy, now that only node B is there.
        var statuses = new List<HttpStatusCode?>();
        for (var i = 0; i < 4; i++)
        {
            using var throughProxy = onA.RebasedTo(Cluster.Proxy);
            statuses.Add(await throughProxy.GetStatusAsync("/api/session"));
        }
        DeadNodeCookieAfterKill = statuses;

        // The feed goes on after the kill: an escalation through the proxy reaches both feeds opened through it
        // (one of which was on the dead node and had to reconnect).
        using var afterKill = await CountyClient.SignedInAsync(Cluster.Proxy, "cun08-1");
        var escalatedAfter = await RegisterAcceptEscalateAsync(afterKill, "节点故障后上报");
        EscalationAfterKillReachedProxyFeeds =
        [
            escalatedAfter is { } c1 && await proxyFeed1.WaitForCaseAsync(c1, TimeSpan.FromSeconds(10)),
            escalatedAfter is { } c2 && await proxyFeed2.WaitForCaseAsync(c2, TimeSpan.FromSeconds(10)),
        ];
        ProxyFeedConnections = [proxyFeed1.Connections, proxyFeed2.Connections];
        Note($"after the kill: escalation {escalatedAfter} reached the proxy feeds {string.Join(",", EscalationAfterKillReachedProxyFeeds)}; feed connections {string.Join(",", ProxyFeedConnections)}; refusals {proxyFeed1.Refusals.Count + proxyFeed2.Refusals.Count}");
        Note($"scenario done in {_clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>A sign-in form served by node A, posted to node B: the antiforgery cookie and token must hold there.</summary>
    private async Task AntiforgeryAcrossNodesAsync()
    {
        using var browser = new CountyClient(Cluster.NodeA.Url);
        var page = await browser.Http.GetStringAsync("/signin");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "The sign-in page carries no antiforgery token.");
        using var onB = browser.RebasedTo(Cluster.NodeB.Url);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = "cun09-1", ["Password"] = Password, ["__RequestVerificationToken"] = token });
        using var response = await onB.Http.PostAsync("/signin", form);
        FormFromAPostedToB = response.StatusCode;
        Note($"sign-in form from node a posted to node b: {(int)response.StatusCode}");
    }

    /// <summary>A sign-in the proxy says came over HTTPS (X-Forwarded-Proto, from loopback): the node marks its cookie Secure.</summary>
    private async Task ForwardedSchemeAsync()
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = Cluster.NodeB.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session") { Content = System.Net.Http.Json.JsonContent.Create(new { userName = "cun10-1", password = Password }) };
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await http.SendAsync(request);
        SessionCookieOverForwardedHttps = response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.FirstOrDefault(c => c.StartsWith("mediation.session=", StringComparison.Ordinal)) ?? "" : "";
        Note($"sign-in forwarded as https: {(int)response.StatusCode}");
    }

    private async Task<List<long>> RegisterTimerCasesAsync()
    {
        var ids = new ConcurrentBag<long>();
        var perAccount = TimerCases / TimerAccounts.Length;
        await Task.WhenAll(TimerAccounts.Select(async account =>
        {
            using var client = await CountyClient.SignedInAsync(Cluster.NodeB.Url, account);
            for (var i = 0; i < perAccount; i++)
            {
                var (status, body) = await client.PostAsync("/api/cases", Dispute($"时限到期测试 {account} {i}"), Guid.NewGuid().ToString("N"));
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Created, $"Registering a timer case on node b answered {status}.");
                ids.Add(body.GetProperty("caseId").GetInt64());
            }
        }));
        return [.. ids.Order()];
    }

    /// <summary>Village mediators at work: register, accept, escalate, again, until told to stop; every success is kept.</summary>
    private async Task LoadAsync(CountyClient client, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var key = Guid.NewGuid().ToString("N");
            var registered = await WriteAsync(client, "/api/cases", Dispute("集群负载 " + key), key, "register", null);
            if (registered is not { } c)
                continue;
            var accepted = await WriteAsync(client, $"/api/cases/{c.CaseId}/accept", new { expectedVersion = c.Version }, key + "-accept", "accept", c.CaseId);
            if (accepted is not { } a)
                continue;
            await WriteAsync(client, $"/api/cases/{a.CaseId}/escalate", new { expectedVersion = a.Version, reason = "涉及多户，村级难以调处" }, key + "-escalate", "escalate", a.CaseId);
        }
    }

    /// <summary>One write: a lost answer (no response, or the proxy's 502/503/504) is retried with the same key, as a client would.</summary>
    private async Task<Acknowledged?> WriteAsync(CountyClient client, string path, object body, string key, string action, long? caseId)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var (status, json) = await client.PostAsync(path, body, key);
            if (status is HttpStatusCode.OK or HttpStatusCode.Created)
            {
                var ack = new Acknowledged(json.GetProperty("caseId").GetInt64(), json.GetProperty("version").GetInt32(), action, key, caseId);
                Acknowledgements.Add(ack);
                return ack;
            }
            if (status is null or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            {
                Interlocked.Increment(ref _retries);
                await Task.Delay(200);
                continue;
            }
            Refusals.Add(status.Value);
            // A refusal is an answer: note it and go on after a moment, as a person would.
            await Task.Delay(50);
            return null;
        }
        return null;
    }

    private async Task<long?> RegisterAcceptEscalateAsync(CountyClient client, string summary)
    {
        var key = Guid.NewGuid().ToString("N");
        var registered = await WriteAsync(client, "/api/cases", Dispute(summary), key, "register", null);
        if (registered is not { } c)
            return null;
        var accepted = await WriteAsync(client, $"/api/cases/{c.CaseId}/accept", new { expectedVersion = c.Version }, key + "-accept", "accept", c.CaseId);
        if (accepted is not { } a)
            return null;
        var escalated = await WriteAsync(client, $"/api/cases/{a.CaseId}/escalate", new { expectedVersion = a.Version, reason = "需管区调处" }, key + "-escalate", "escalate", a.CaseId);
        return escalated?.CaseId;
    }

    /// <summary>
    /// Brings each case's village time limit forward to a moment a few seconds ahead, the case and its pending timer
    /// alike (the firing re-checks that they agree).
    /// </summary>
    private async Task<List<long>> MakeTimersDueAsync(IReadOnlyList<long> caseIds, double inSeconds)
    {
        await using var db = await Cluster.OpenAsync();
        await using var transaction = await db.BeginTransactionAsync();
        await using (var cases = new NpgsqlCommand(
            """
            UPDATE cases SET deadline_at = date_trunc('milliseconds', now() + make_interval(secs => @in)) WHERE id = ANY(@ids)
            """, db, transaction))
        {
            cases.Parameters.AddWithValue("in", inSeconds);
            cases.Parameters.AddWithValue("ids", caseIds.ToArray());
            await cases.ExecuteNonQueryAsync();
        }
        var timers = new List<long>();
        await using (var due = new NpgsqlCommand(
            """
            UPDATE case_timers t SET due_at = c.deadline_at, next_attempt_at = c.deadline_at
            FROM cases c
            WHERE t.case_id = c.id AND c.id = ANY(@ids) AND t.kind = 'LevelDeadline' AND t.status = 'Pending'
            RETURNING t.id
            """, db, transaction))
        {
            due.Parameters.AddWithValue("ids", caseIds.ToArray());
            await using var reader = await due.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                timers.Add(reader.GetInt64(0));
        }
        await transaction.CommitAsync();
        return timers;
    }

    // Which rows node A holds cannot be read straight from PostgreSQL: a row claimed inside a savepoint is locked by the
    // subtransaction's id, and once the savepoint is released nothing maps that id to a backend. So node A is caught while
    // its current savepoint holds a timer row (pg_locks names the pid of a live subtransaction id), frozen, and every
    // locked pending timer row is read with its locker; after the SIGKILL, the lockers PostgreSQL rolled back are node A's.

    /// <summary>
    /// Makes the timer cases' time limits come due, all at one instant, and kills node A while it holds timer claims it
    /// has not committed: caught mid-batch, frozen (SIGSTOP: it commits nothing more), locked rows read, SIGKILL; the rows
    /// whose locker PostgreSQL then rolls back were node A's. If A's transaction ended just before the freeze, it is
    /// thawed and watched again. Should the other node fire a whole wave alone, the next level's time limit (the
    /// station's, after the escalation) is made due for another wave.
    /// </summary>
    private async Task KillNodeAWhileItHoldsTimersAsync()
    {
        await using var db = await Cluster.OpenAsync();
        var due = new List<long>();
        var seenLocked = 0L;
        for (var wave = 1; wave <= Waves; wave++)
        {
            var timers = await MakeTimersDueAsync(TimerCaseIds, inSeconds: 2);
            due.AddRange(timers);
            DueTimerIds = due;
            Note($"wave {wave}: {timers.Count} time limits due in 2 s");
            var until = DateTime.UtcNow.AddSeconds(30);
            for (var poll = 0; DateTime.UtcNow < until; poll++)
            {
                seenLocked = Math.Max(seenLocked, await TimersLockedAsync(db));
                // Frozen at the first sight: a node that shares none of the batch may not be seen mid-batch twice.
                if ((await TimersHeldByAsync(db, Cluster.NodeA)).Count > 0)
                {
                    await CountyCluster.FreezeAsync(Cluster.NodeA);
                    await Task.Delay(400);
                    if (await InTransactionAsync(db, Cluster.NodeA))
                    {
                        var locked = await LockedPendingTimersAsync(db);
                        await CountyCluster.KillAsync(Cluster.NodeA);
                        KilledAt = DateTime.UtcNow;
                        await Task.Delay(500);
                        ClaimedByTheDeadNode = await RolledBackAsync(db, locked);
                        Note($"node a killed mid-batch: {locked.Count} pending timer rows were locked, {ClaimedByTheDeadNode.Count} of them by node a's transaction (rolled back by the kill); {await PendingAsync(db)} due timers still pending");
                        return;
                    }
                    await CountyCluster.ThawAsync(Cluster.NodeA);
                }
                if (poll % 20 == 19 && await PendingAsync(db) == 0)
                    break;
                await Task.Delay(10);
            }
            Note($"wave {wave} fired without node a caught mid-batch (at most {seenLocked} timer rows seen locked; node a has {await ConnectionsOfAsync(db, Cluster.NodeA)} connections; lockers seen: {string.Join(", ", _lockers.Select(l => $"{l.Key} {l.Value}"))})");
        }
        // Never caught: kill it anyway so the other checks still run; the claimed-timers check then fails with the note.
        await CountyCluster.KillAsync(Cluster.NodeA);
        KilledAt = DateTime.UtcNow;
        Note($"node a never caught holding a timer claim in {Waves} waves; killed anyway");
    }

    /// <summary>Whether one of the node's connections is inside a transaction that has written (holds a transaction id).</summary>
    private static async Task<bool> InTransactionAsync(NpgsqlConnection db, CountyCluster.Node node)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @node AND backend_xid IS NOT NULL", db);
        command.Parameters.AddWithValue("node", node.ApplicationName);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>
    /// Every pending timer row locked right now, with the (sub)transaction ids that lock it, comma-separated: a row locked
    /// by a transaction and then updated in one of its savepoints is held by a multixact of both.
    /// </summary>
    private static async Task<List<(long Timer, string Lockers)>> LockedPendingTimersAsync(NpgsqlConnection db)
    {
        await using var command = new NpgsqlCommand(
            "SELECT t.id, array_to_string(l.xids, ',') FROM pgrowlocks('case_timers') l JOIN case_timers t ON t.ctid = l.locked_row WHERE t.status = 'Pending'", db);
        var rows = new List<(long, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetInt64(0), reader.GetString(1)));
        return rows;
    }

    /// <summary>The timers among <paramref name="locked"/> whose lockers were all rolled back (the test cluster's xid epoch is 0).</summary>
    private static async Task<List<long>> RolledBackAsync(NpgsqlConnection db, List<(long Timer, string Lockers)> locked)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT l.timer FROM unnest(@timers, @lockers) AS l(timer, lockers)
            WHERE (SELECT bool_and(pg_xact_status(x::xid8) = 'aborted') FROM unnest(string_to_array(l.lockers, ',')) AS x)
            ORDER BY l.timer
            """, db);
        command.Parameters.AddWithValue("timers", locked.Select(l => l.Timer).ToArray());
        command.Parameters.AddWithValue("lockers", locked.Select(l => l.Lockers).ToArray());
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            ids.Add(reader.GetInt64(0));
        return ids;
    }

    private static async Task<List<long>> TimersHeldByAsync(NpgsqlConnection db, CountyCluster.Node node)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT t.id FROM pgrowlocks('case_timers') l JOIN case_timers t ON t.ctid = l.locked_row
            WHERE t.status = 'Pending' AND EXISTS (
                SELECT 1 FROM pg_locks k JOIN pg_stat_activity a ON a.pid = k.pid
                WHERE k.locktype = 'transactionid' AND k.mode = 'ExclusiveLock' AND k.granted
                  AND k.transactionid = ANY(l.xids) AND a.application_name = @node)
            ORDER BY t.id
            """, db);
        command.Parameters.AddWithValue("node", node.ApplicationName);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            ids.Add(reader.GetInt64(0));
        return ids;
    }

    private readonly ConcurrentDictionary<string, long> _lockers = new();

    /// <summary>How many timer rows are locked now; notes which nodes' connections were seen holding them.</summary>
    private async Task<long> TimersLockedAsync(NpgsqlConnection db)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT coalesce(a.application_name, 'gone'), count(*) FROM pgrowlocks('case_timers') l
            LEFT JOIN pg_locks k ON k.locktype = 'transactionid' AND k.mode = 'ExclusiveLock' AND k.granted AND k.transactionid = ANY(l.xids)
            LEFT JOIN pg_stat_activity a ON a.pid = k.pid
            GROUP BY 1
            """, db);
        var total = 0L;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var count = reader.GetInt64(1);
            _lockers.AddOrUpdate(reader.GetString(0), count, (_, seen) => Math.Max(seen, count));
            total += count;
        }
        return total;
    }

    private static async Task<long> ConnectionsOfAsync(NpgsqlConnection db, CountyCluster.Node node)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @node", db);
        command.Parameters.AddWithValue("node", node.ApplicationName);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> PendingAsync(NpgsqlConnection db)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM case_timers WHERE id = ANY(@ids) AND status = 'Pending'", db);
        command.Parameters.AddWithValue("ids", DueTimerIds.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task WaitForTimersAsync(TimeSpan within)
    {
        await using var db = await Cluster.OpenAsync();
        var until = DateTime.UtcNow + within;
        long pending;
        while ((pending = await PendingAsync(db)) > 0 && DateTime.UtcNow < until)
            await Task.Delay(250);
        Note($"timers: {pending} of {DueTimerIds.Count} still pending {(DateTime.UtcNow - KilledAt).TotalSeconds:F1} s after the kill");
    }

    private static object Dispute(string summary) => new
    {
        channel = "walkIn",
        category = "neighbour",
        summary,
        riskLevel = "low",
        riskSignals = "none",
        parties = new object[] { new { role = "applicant", name = "王秀英" }, new { role = "respondent", name = "李德胜" } },
    };

    private void Note(string line) => Log.Enqueue($"[{_clock.Elapsed.TotalSeconds,6:F1} s] {line}");

    private static async Task Execute(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is { } cluster && Interlocked.Exchange(ref _disposed, 1) == 0)
            await cluster.DisposeAsync();
    }

    private int _disposed;

    /// <summary>A write the load was told succeeded.</summary>
    public sealed record Acknowledged(long CaseId, int Version, string Action, string IdempotencyKey, long? RequestedCaseId);
}
