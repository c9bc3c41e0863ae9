using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Web.Tests;

/// <summary>
/// The escalation feed is woken by the escalation itself, on whichever node it was made, not by a clock: the hosts run
/// on a clock that never moves, so a stream that slept on a poll would never read again.
/// </summary>
public class LiveFeedTests
{
    private static readonly Action<IServiceCollection> StoppedClock = s => s.AddSingleton<TimeProvider>(new StoppedClock(DateTimeOffset.UtcNow));

    [Fact]
    public async Task AnEscalation_ReachesTheFeedOpenOnTheSameNode()
    {
        using var node = new ApiHost { TestServices = StoppedClock };
        await AnEscalationReachesAsync(escalatedOn: node, watchedOn: node);
    }

    [Fact]
    public async Task AnEscalationThroughOneNode_ReachesTheFeedOpenOnAnother()
    {
        // Only several nodes on one PostgreSQL server share news (NOTIFY); a SQLite file serves one node.
        using var database = await SharedDatabase.PostgresAsync();
        using var first = database.Node(StoppedClock);
        using var second = database.Node(StoppedClock);
        await AnEscalationReachesAsync(escalatedOn: first, watchedOn: second);
    }

    [Fact]
    public async Task AfterTheListeningConnectionIsCut_AnEscalationStillReachesTheFeed()
    {
        using var database = await SharedDatabase.PostgresAsync();
        using var first = database.Node(StoppedClock);
        using var second = database.Node(StoppedClock);
        await AnEscalationReachesAsync(escalatedOn: first, watchedOn: second, beforeEscalating: async () =>
        {
            // Every node's listening connection, as a server restart or a dropped link would end it.
            await using var server = new Npgsql.NpgsqlConnection(database.Postgres);
            await server.OpenAsync();
            await using var cut = new Npgsql.NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = @name", server);
            cut.Parameters.AddWithValue("name", Mediation.Infrastructure.LiveFeeds.PostgresFeedListener.ApplicationName);
            for (var i = 0; i < 100 && Convert.ToInt64(await cut.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) < 2; i++)
                await Task.Delay(100);
        });
        Assert.Contains(second.Logs.Lines, l => l.Line.StartsWith("The live-feed connection to PostgreSQL failed", StringComparison.Ordinal));
    }

    private static async Task AnEscalationReachesAsync(ApiHost escalatedOn, ApiHost watchedOn, Func<Task>? beforeEscalating = null)
    {
        var village = await escalatedOn.SignedInAs("cun01-1");
        var petitionOffice = await watchedOn.SignedInAs("xinfang1");
        var id = await AcceptedCaseAsync(village);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await petitionOffice.GetAsync("/api/feed/escalations", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal(": connected", await reader.ReadLineAsync(timeout.Token));
        if (beforeEscalating is not null)
            await beforeEscalating();

        var escalated = await village.PostAsJsonAsync($"/api/cases/{id}/escalate", new { expectedVersion = 2, reason = "涉及多户" });
        Assert.Equal(HttpStatusCode.OK, escalated.StatusCode);

        // Earlier escalations of the demo street may come first; ours must follow without the clock moving.
        JsonElement seen;
        do
        {
            seen = await NextEventAsync(reader, timeout.Token);
        }
        while (seen.GetProperty("caseId").GetInt64() != id);
        Assert.Equal("station", seen.GetProperty("level").GetString());
    }

    private static async Task<long> AcceptedCaseAsync(HttpClient village)
    {
        var registered = await village.PostAsJsonAsync("/api/cases", new
        {
            channel = "walkIn", category = "neighbour", summary = "实时推送：院墙渗水", riskLevel = "low", riskSignals = "none",
            parties = new object[] { new { role = "applicant", name = "王秀英" }, new { role = "respondent", name = "李德胜" } },
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var id = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetInt64();
        var accepted = await village.PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 1 });
        Assert.True(accepted.StatusCode == HttpStatusCode.OK, await accepted.Content.ReadAsStringAsync());
        return id;
    }

    private static async Task<JsonElement> NextEventAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                return JsonDocument.Parse(line["data: ".Length..]).RootElement;
        }
        throw new EndOfStreamException("The feed ended.");
    }
}

/// <summary>A clock that never moves and whose timers never fire.</summary>
internal sealed class StoppedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Never();

    private sealed class Never : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
