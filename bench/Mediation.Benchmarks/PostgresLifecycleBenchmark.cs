using System.Diagnostics;
using Mediation.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Mediation.Benchmarks;

/// <summary>
/// The full lifecycle through the real command pipeline on PostgreSQL, with one writer and with several at once
/// (each writer its own village, station and center account, as several offices would), against the same work per
/// transition written by hand with Npgsql (read, versioned update, event; prepared statements), on the same
/// database in the same rounds and with as many connections as writers.
/// </summary>
internal static class PostgresLifecycleBenchmark
{
    public sealed record Result(int Writers, double PipelinePerSecond, double ReferencePerSecond);

    private const int Rounds = 5;

    public static async Task<List<Result>> RunAsync(PostgresServer server, int lifecycles, int writers)
    {
        Report.Heading($"Lifecycle through the pipeline on PostgreSQL, {lifecycles} cases x 10 transitions, 1 writer and {writers} concurrent writers");
        Console.WriteLine($"  (pipeline and hand-written Npgsql alternate in {Rounds} rounds on one database; rates are medians of the rounds; {Report.MachineLoad()})");
        var database = await server.CreateDatabaseAsync("lifecycle");
        var results = new List<Result>();
        try
        {
            await using var host = await BenchHost.StartAsync(new MediationOptions { Provider = DatabaseProvider.Postgres, ConnectionString = database });
            var offices = new List<(string Village, string Station, string Center)>();
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync();
                for (var w = 0; w < writers; w++)
                {
                    var village = $"cun{1 + w * 38 / writers:D2}-1";
                    offices.Add((village, await PostgresCases.AboveAsync(connection, village), w % 2 == 0 ? "zhongxin1" : "zhongxin2"));
                }
            }

            // Warm up until the JIT has promoted the hot paths; a cold first run would measure the compiler.
            for (var i = 0; i < Math.Max(200, lifecycles / 2); i++)
                await LifecycleBenchmark.Lifecycle(host, null);

            foreach (var n in new[] { 1, writers }.Distinct())
            {
                var perCommand = new Dictionary<string, Samples>();
                var pipelineRates = new List<double>();
                var referenceRates = new List<double>();
                var failed = 0;
                for (var round = 0; round < Rounds; round++)
                {
                    var perWriter = Enumerable.Range(0, n).Select(_ => new List<long>()).ToList();
                    var each = lifecycles / Rounds / n;
                    var started = Stopwatch.GetTimestamp();
                    await Task.WhenAll(Enumerable.Range(0, n).Select(w => Task.Run(async () =>
                    {
                        for (var i = 0; i < each; i++)
                        {
                            try
                            {
                                perWriter[w].Add(await LifecycleBenchmark.Lifecycle(host, n == 1 ? perCommand : null, offices[w].Village, offices[w].Station, offices[w].Center));
                            }
                            catch (Exception ex) when (ex is not OutOfMemoryException)
                            {
                                // Counted, not hidden: writers on different cases should never conflict.
                                Interlocked.Increment(ref failed);
                                Console.WriteLine($"  a lifecycle failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                            }
                        }
                    })));
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    pipelineRates.Add(perWriter.Sum(ids => ids.Count) * 10 / elapsed.TotalSeconds);
                    referenceRates.Add(await HandWrittenAsync(database, perWriter, 10));
                }
                var label = n == 1 ? "1 writer" : $"{n} writers";
                var pipeline = LifecycleBenchmark.Median(pipelineRates);
                var reference = LifecycleBenchmark.Median(referenceRates);
                Report.Figure($"{label}: pipeline transitions", pipeline, "/s", $"rounds: {Report.Rounds(pipelineRates)}; {failed} lifecycles failed");
                foreach (var (command, samples) in perCommand)
                    Report.Figure($"  p50 / p99 {command}", samples.Percentile(50), "ms", $"p99 {samples.Percentile(99):N2} ms");
                Report.Figure($"{label}: hand-written Npgsql transitions", reference, "/s", $"rounds: {Report.Rounds(referenceRates)}");
                Report.Figure($"{label}: pipeline vs hand-written", pipeline / reference * 100, "%", Report.Target(pipeline >= 0.3 * reference, ">= 30 %"));
                results.Add(new Result(n, pipeline, reference));
            }
        }
        finally
        {
            await server.DropDatabaseAsync(database);
        }
        return results;
    }

    // The same work per transition by hand, one connection per writer: read the case, update it with its version check, insert one event.
    private static async Task<double> HandWrittenAsync(string database, List<List<long>> perWriter, int perCase)
    {
        var started = Stopwatch.GetTimestamp();
        var counts = await Task.WhenAll(perWriter.Select(ids => Task.Run(() => WriterAsync(database, ids, perCase))));
        return counts.Sum() / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<int> WriterAsync(string database, List<long> caseIds, int perCase)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT version, state FROM cases WHERE id = @id", connection);
        var readId = read.Parameters.Add("id", NpgsqlDbType.Bigint);
        await using var update = new NpgsqlCommand("UPDATE cases SET state = @state, version = @version + 1, updated_at = @now WHERE id = @id AND version = @version", connection);
        var upState = update.Parameters.Add("state", NpgsqlDbType.Varchar);
        var upVersion = update.Parameters.Add("version", NpgsqlDbType.Integer);
        var upNow = update.Parameters.Add("now", NpgsqlDbType.TimestampTz);
        var upId = update.Parameters.Add("id", NpgsqlDbType.Bigint);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO case_events (case_id, sequence, action, from_state, to_state, from_level, level, from_unit_id, unit_id, outcome, actor_id, actor_name, actor_role, actor_unit_id, occurred_at, payload) " +
            "VALUES (@id, @seq, 'recordSession', @from, 'mediating', 'center', 'center', 1, 1, NULL, 1, '黄丽华', 'centerMediator', 1, @now, '{}')", connection);
        var inId = insert.Parameters.Add("id", NpgsqlDbType.Bigint);
        var inSeq = insert.Parameters.Add("seq", NpgsqlDbType.Integer);
        var inFrom = insert.Parameters.Add("from", NpgsqlDbType.Varchar);
        var inNow = insert.Parameters.Add("now", NpgsqlDbType.TimestampTz);
        await read.PrepareAsync();
        await update.PrepareAsync();
        await insert.PrepareAsync();

        var count = 0;
        for (var round = 0; round < perCase; round++)
        {
            foreach (var id in caseIds)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                readId.Value = id;
                int version;
                string state;
                await using (var reader = await read.ExecuteReaderAsync())
                {
                    await reader.ReadAsync();
                    version = reader.GetInt32(0);
                    state = reader.GetString(1);
                }
                var now = DateTime.UtcNow;
                upState.Value = "mediating";
                upVersion.Value = version;
                upNow.Value = now;
                upId.Value = id;
                if (await update.ExecuteNonQueryAsync() != 1)
                    throw new InvalidOperationException("lost a version race on a case only this writer touches");
                inId.Value = id;
                inSeq.Value = version + 1;
                inFrom.Value = state;
                inNow.Value = now;
                await insert.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
                count++;
            }
        }
        return count;
    }
}
