using System.Net;
using Npgsql;

namespace Mediation.Cluster.Tests;

/// <summary>
/// What a county must still be able to say after one of its nodes is killed mid-load (see <see cref="NodeFailureScenario"/>,
/// run once for all of these): nothing acknowledged is lost, no time limit fires twice or never, the survivor finishes
/// what the dead node held, and people stay signed in and keep hearing the feed.
/// </summary>
public sealed class NodeFailureTests(NodeFailureScenario run) : IClassFixture<NodeFailureScenario>
{
    private string Story => string.Join('\n', run.Log);

    [Fact]
    public async Task EveryAcknowledgedWrite_IsInTheDatabase_AfterANodeIsKilled()
    {
        Assert.True(run.Acknowledgements.Count > 50, $"The load got too few writes through to prove anything ({run.Acknowledgements.Count}).\n{Story}");
        var acks = run.Acknowledgements.ToList();
        await using var db = await run.Cluster.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT a.case_id, a.version, a.action
            FROM unnest(@cases, @versions, @actions) AS a(case_id, version, action)
            WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = a.case_id AND e.sequence = a.version AND e.action = a.action)
            """, db);
        command.Parameters.AddWithValue("cases", acks.Select(a => a.CaseId).ToArray());
        command.Parameters.AddWithValue("versions", acks.Select(a => a.Version).ToArray());
        command.Parameters.AddWithValue("actions", acks.Select(a => a.Action).ToArray());
        var missing = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                missing.Add($"case {reader.GetInt64(0)} v{reader.GetInt32(1)} {reader.GetString(2)}");
        }
        Assert.True(missing.Count == 0, $"{missing.Count} of {acks.Count} acknowledged writes are not in case_events: {string.Join("; ", missing.Take(10))}\n{Story}");
        Assert.All(acks.Where(a => a.RequestedCaseId is not null), a => Assert.Equal(a.RequestedCaseId, a.CaseId));
    }

    [Fact]
    public async Task ARetriedRegistration_MakesOneCase_WhicheverNodeTheRetryReached()
    {
        // Every load registration carried its idempotency key in its summary: one key, one case, retried or not.
        await using var db = await run.Cluster.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT summary, count(*) FROM cases WHERE summary LIKE '集群负载 %' GROUP BY summary HAVING count(*) > 1", db);
        var doubled = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                doubled.Add($"{reader.GetString(0)} ×{reader.GetInt64(1)}");
        }
        Assert.True(doubled.Count == 0, $"Registrations written twice: {string.Join("; ", doubled.Take(10))}\n{Story}");
        Assert.True(run.Retries > 0, $"No request was retried, so the kill cut nothing in flight and this proves nothing.\n{Story}");
    }

    [Fact]
    public async Task EveryTimeLimitThatCameDue_EscalatesItsCaseExactlyOnce()
    {
        Assert.True(run.DueTimerIds.Count >= NodeFailureScenario.TimerCases, $"Only {run.DueTimerIds.Count} time limits came due.\n{Story}");
        await using var db = await run.Cluster.OpenAsync();
        var notApplied = await RowsAsync(db, "SELECT id || ' ' || status || coalesce(' attempts ' || attempts || ': ' || last_error, '') FROM case_timers WHERE id = ANY(@ids) AND status <> 'Applied'", run.DueTimerIds);
        Assert.True(notApplied.Count == 0, $"{notApplied.Count} of {run.DueTimerIds.Count} due timers are not applied (lost or stuck): {string.Join("; ", notApplied.Take(10))}\n{Story}");
        var notOnce = await EscalationsNotOnceAsync(db, run.DueTimerIds);
        Assert.True(notOnce.Count == 0, $"{notOnce.Count} due timers did not escalate their case exactly once: {string.Join("; ", notOnce.Take(10))}\n{Story}");
    }

    [Fact]
    public async Task TimersTheDeadNodeHadClaimed_AreFiredOnceByTheSurvivor()
    {
        Assert.True(run.ClaimedByTheDeadNode.Count > 0, $"Node A was never caught holding a claimed timer, so this run proves nothing about them.\n{Story}");
        await using var db = await run.Cluster.OpenAsync();
        // Node A was frozen, then killed, holding these uncommitted: any commit of them is the survivor's.
        var notApplied = await RowsAsync(db, "SELECT id || ' ' || status FROM case_timers WHERE id = ANY(@ids) AND status <> 'Applied'", run.ClaimedByTheDeadNode);
        Assert.True(notApplied.Count == 0, $"Of the {run.ClaimedByTheDeadNode.Count} timers node A held when it died, these were not fired: {string.Join("; ", notApplied.Take(10))}\n{Story}");
        var notOnce = await EscalationsNotOnceAsync(db, run.ClaimedByTheDeadNode);
        Assert.True(notOnce.Count == 0, $"Of the timers node A held when it died, these did not escalate exactly once: {string.Join("; ", notOnce.Take(10))}\n{Story}");
    }

    /// <summary>Timers whose case has other than one escalation on expiry from the timer's level.</summary>
    private static Task<List<string>> EscalationsNotOnceAsync(NpgsqlConnection db, IEnumerable<long> timers) => RowsAsync(db,
        """
        SELECT t.id || ' (case ' || t.case_id || ', ' || t.level || '): ' || count(e.id) || ' escalations on expiry'
        FROM case_timers t LEFT JOIN case_events e ON e.case_id = t.case_id AND e.action = 'escalateOnExpiry' AND e.from_level = t.level
        WHERE t.id = ANY(@ids) GROUP BY t.id, t.case_id, t.level HAVING count(e.id) <> 1
        """, timers);

    [Fact]
    public void ASessionCookie_IsHonouredByEveryNode_AndOutlivesTheNodeThatIssuedIt()
    {
        // Round robin sends a client's requests to both nodes: a cookie only its issuing node can read is a 401 on the other.
        Assert.True(!run.Refusals.Contains(HttpStatusCode.Unauthorized), $"The load was refused {run.Refusals.Count(r => r == HttpStatusCode.Unauthorized)} times with 401 through the proxy.\n{Story}");
        Assert.True(run.DeadNodeCookieAfterKill.All(s => s == HttpStatusCode.OK),
            $"A cookie node A issued, sent through the proxy after A died: {string.Join(", ", run.DeadNodeCookieAfterKill.Select(s => s is { } v ? ((int)v).ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer"))}\n{Story}");
    }

    [Fact]
    public void AFormServedByOneNode_IsAcceptedByTheOther()
    {
        // The antiforgery token and cookie come from node A; node B signs the person in (302) instead of refusing the form (400).
        Assert.True(run.FormFromAPostedToB == HttpStatusCode.Redirect, $"The sign-in form from node A posted to node B answered {(int?)run.FormFromAPostedToB}.\n{Story}");
    }

    [Fact]
    public void ANodeBehindTheProxy_BelievesTheSchemeTheProxyForwards()
    {
        // TLS ends at the proxy; the node knows the browser spoke HTTPS only from X-Forwarded-Proto, and must mark the cookie Secure.
        Assert.False(string.IsNullOrEmpty(run.SessionCookieOverForwardedHttps), $"No session cookie was set.\n{Story}");
        Assert.Contains("secure", run.SessionCookieOverForwardedHttps, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TheLiveFeed_CarriesEscalationsAcrossNodes_AndAfterTheKill()
    {
        Assert.True(run.EscalationOnAReachedFeedOnB, $"An escalation written on node A did not reach a feed connected to node B within 10 s.\n{Story}");
        Assert.True(run.EscalationAfterKillReachedProxyFeeds.All(reached => reached),
            $"An escalation after the kill reached the feeds opened through the proxy: {string.Join(", ", run.EscalationAfterKillReachedProxyFeeds)}\n{Story}");
    }

    private static async Task<List<string>> RowsAsync(NpgsqlConnection db, string sql, IEnumerable<long> ids)
    {
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }
}
