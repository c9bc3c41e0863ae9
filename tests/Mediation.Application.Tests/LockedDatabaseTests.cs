using System.Diagnostics;
using Mediation.Application.Pipeline;
using Microsoft.Data.Sqlite;

namespace Mediation.Application.Tests;

public class LockedDatabaseTests
{
    // SQLite's single writer: on PostgreSQL writers do not queue for the database, the version check decides.
    [Fact]
    [Trait("Provider", "Sqlite")]
    public async Task Command_WhileAnotherConnectionHoldsTheWriteLock_FailsWithinSeconds_AsDatabaseBusy()
    {
        await using var host = await MediationHost.StartAsync(provider: Infrastructure.DatabaseProvider.Sqlite);
        await using var other = new SqliteConnection($"Data Source={host.DatabaseFile};Pooling=False");
        await other.OpenAsync();
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        var busy = await Assert.ThrowsAsync<DatabaseBusyException>(() => host.SendAs("cun01-1", Disputes.Neighbour()));
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.Elapsed}");
        Assert.True(busy.RetryAfter > TimeSpan.Zero);
        Assert.IsType<SqliteException>(busy.InnerException);
    }

    [Fact]
    public async Task WriteGate_WhenTheWriteAheadHoldsItTooLong_RefusesTheQueuedWrite()
    {
        using var gate = new WriteGate(serializeWrites: true, maxWait: TimeSpan.FromMilliseconds(200));
        using var holder = await gate.EnterAsync(CancellationToken.None);

        var refused = await Assert.ThrowsAsync<DatabaseBusyException>(async () => await gate.EnterAsync(CancellationToken.None));

        Assert.Contains("nothing was written", refused.Message, StringComparison.Ordinal);
    }
}
