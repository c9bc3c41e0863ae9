using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Mediation.Web.Tests;

public class LockedDatabaseTests
{
    private static object Neighbour(string summary) => new
    {
        channel = "walkIn",
        category = "neighbour",
        summary,
        riskLevel = "low",
        riskSignals = "none",
        parties = new object[] { new { role = "applicant", name = "王秀英" }, new { role = "respondent", name = "李德胜" } },
    };

    // SQLite's single writer: on PostgreSQL another process's transaction does not lock out the product's writes.
    [Fact]
    [Trait("Provider", "Sqlite")]
    public async Task WriteWhileAnotherProcessHoldsTheDatabase_Answers503WithRetryAfter_WithinSeconds_AndNothingIsWritten()
    {
        using var host = new ApiHost { Postgres = null };
        var village = await host.SignedInAs("cun01-1");
        var before = await (await village.GetAsync("/api/cases")).Content.ReadAsStringAsync();

        // Another process (a backup script, a console) takes the write lock and keeps it.
        await using var other = new SqliteConnection($"Data Source={host.DatabaseFile};Pooling=False");
        await other.OpenAsync();
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        var first = village.PostAsJsonAsync("/api/cases", Neighbour("锁库时登记一"));
        var queued = village.PostAsJsonAsync("/api/cases", Neighbour("锁库时登记二"));
        var responses = await Task.WhenAll(first, queued);
        watch.Stop();

        Assert.All(responses, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After names a delay");
        });
        var problem = JsonDocument.Parse(await responses[0].Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        // Two writes, one queued behind the other, each bounded: far from the driver's 30 s per write.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");

        await using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            await rollback.ExecuteNonQueryAsync();
        }
        Assert.Equal(before, await (await village.GetAsync("/api/cases")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await village.PostAsJsonAsync("/api/cases", Neighbour("解锁后登记"))).StatusCode);
    }
}
