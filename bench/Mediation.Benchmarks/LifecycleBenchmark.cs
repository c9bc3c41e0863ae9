using System.Diagnostics;
using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Cases.AcceptCase;
using Mediation.Application.Features.Cases.CloseCase;
using Mediation.Application.Features.Cases.RecordSession;
using Mediation.Application.Features.Cases.RegisterCase;
using Mediation.Application.Features.Cases.ResolveCase;
using Mediation.Application.Features.Escalation.EscalateCase;
using Mediation.Domain.Cases;
using Mediation.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mediation.Benchmarks;

/// <summary>
/// The full lifecycle through the real command pipeline (village → station → center → settled → closed), against
/// the same work per transition written by hand with Microsoft.Data.Sqlite, and plain one-row insert transactions,
/// all on the same file system in the same run.
/// </summary>
internal static class LifecycleBenchmark
{
    public sealed record Result(double PipelinePerSecond, double ReferencePerSecond, double InsertsPerSecond);

    public static async Task<Result> RunAsync(string folder, SqliteDurability durability, int lifecycles)
    {
        var file = Path.Combine(folder, $"lifecycle-{durability}.db".ToLowerInvariant());
        foreach (var f in Directory.GetFiles(folder, Path.GetFileName(file) + "*"))
            File.Delete(f);

        Report.Heading($"Lifecycle through the pipeline, SQLite WAL synchronous={durability.ToString().ToUpperInvariant()}, {lifecycles} cases x 10 transitions");
        Console.WriteLine($"  (pipeline, hand-written and plain inserts alternate in {Rounds} rounds on the same file; rates are medians of the rounds)");
        var perCommand = new Dictionary<string, Samples>();
        var pipelineRates = new List<double>();
        var referenceRates = new List<double>();
        var insertRates = new List<double>();
        await using (var host = await BenchHost.StartAsync(file, durability))
        {
            // Warm up until the JIT has promoted the hot paths; a cold first run would measure the compiler.
            for (var i = 0; i < Math.Max(200, lifecycles / 2); i++)
                await Lifecycle(host, null);

            var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(precise: true));
            var pipelineTime = TimeSpan.Zero;
            for (var round = 0; round < Rounds; round++)
            {
                var caseIds = new List<long>();
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < lifecycles / Rounds; i++)
                    caseIds.Add(await Lifecycle(host, perCommand));
                var elapsed = Stopwatch.GetElapsedTime(started);
                pipelineTime += elapsed;
                pipelineRates.Add(caseIds.Count * 10 / elapsed.TotalSeconds);
                referenceRates.Add(HandWrittenTransitions(file, durability, caseIds, 10));
                insertRates.Add(PlainInserts(file, durability, caseIds.Count * 10));
            }
            Report.Figure("pipeline transitions", Median(pipelineRates), "/s", $"rounds: {string.Join(" ", pipelineRates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}");
            Report.Figure("  allocated per transition", (GC.GetTotalAllocatedBytes(precise: true) - gcBefore.Item5) / 1024.0 / (lifecycles * 10), "KiB");
            Report.Figure("  GC pause share of the pipeline rounds", (GC.GetTotalPauseDuration() - gcBefore.Item4).TotalMilliseconds / pipelineTime.TotalMilliseconds * 100, "%",
                $"gen0/1/2 collections: {GC.CollectionCount(0) - gcBefore.Item1}/{GC.CollectionCount(1) - gcBefore.Item2}/{GC.CollectionCount(2) - gcBefore.Item3}");
        }
        foreach (var (command, samples) in perCommand)
            Report.Figure($"  p50 / p99 {command}", samples.Percentile(50), "ms", $"p99 {samples.Percentile(99):N2} ms");

        var pipelinePerSecond = Median(pipelineRates);
        var referencePerSecond = Median(referenceRates);
        var insertsPerSecond = Median(insertRates);
        Report.Figure("hand-written transitions (read, versioned update, event)", referencePerSecond, "/s", $"rounds: {string.Join(" ", referenceRates.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Report.Figure("plain one-row insert transactions", insertsPerSecond, "/s");
        Report.Figure("pipeline vs hand-written", pipelinePerSecond / referencePerSecond * 100, "%",
            Report.Target(pipelinePerSecond >= 0.3 * referencePerSecond, ">= 30 %"));
        Report.Figure("pipeline vs plain inserts", pipelinePerSecond / insertsPerSecond * 100, "%");
        return new Result(pipelinePerSecond, referencePerSecond, insertsPerSecond);
    }

    private const int Rounds = 5;

    internal static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>One case from registration at a village to closing at the center, through the accounts of its village, station and center.</summary>
    internal static async Task<long> Lifecycle(BenchHost host, Dictionary<string, Samples>? samples, string village = "cun01-1", string station = "zhan1-1", string center = "zhongxin1")
    {
        async Task<CaseChanged> Step<T>(string name, string user, T command)
            where T : MediatR.IRequest<CaseChanged>
        {
            var started = Stopwatch.GetTimestamp();
            var result = await host.SendAs(user, command);
            if (samples is not null)
            {
                if (!samples.TryGetValue(name, out var s))
                    samples[name] = s = new Samples();
                s.Add(Stopwatch.GetElapsedTime(started));
            }
            return result;
        }

        var now = DateTime.UtcNow;
        var c = await Step("register", village, new RegisterCase(IntakeChannel.WalkIn, DisputeCategory.Neighbour, "邻里排水纠纷", null, 3000m, RiskLevel.Low, RiskSignals.None,
            [new PartyInput(PartyRole.Applicant, "王秀英", "13905318842", null, null), new PartyInput(PartyRole.Respondent, "李德胜", null, null, null)]));
        c = await Step("accept", village, new AcceptCase(c.CaseId, c.Version));
        c = await Step("recordSession", village, new RecordSession(c.CaseId, c.Version, now.AddHours(-1), "调解室", "双方", "协商未果"));
        c = await Step("escalate", village, new EscalateCase(c.CaseId, c.Version, "村级调解不成"));
        c = await Step("accept", station, new AcceptCase(c.CaseId, c.Version));
        c = await Step("escalate", station, new EscalateCase(c.CaseId, c.Version, "管区调解不成"));
        c = await Step("accept", center, new AcceptCase(c.CaseId, c.Version));
        c = await Step("recordSession", center, new RecordSession(c.CaseId, c.Version, now.AddHours(-1), "中心调解室", "双方", "达成一致"));
        c = await Step("resolve", center, new ResolveCase(c.CaseId, c.Version, "补偿3000元", true, []));
        c = await Step("close", center, new CloseCase(c.CaseId, c.Version, "电话", "已告知"));
        return c.CaseId;
    }

    private static SqliteConnection Open(string file, SqliteDurability durability)
    {
        var connection = new SqliteConnection($"Data Source={file}");
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA synchronous={(durability == SqliteDurability.Full ? "FULL" : "NORMAL")};";
        pragma.ExecuteNonQuery();
        return connection;
    }

    // The same work per transition by hand: read the case, update it with its version check, insert one event.
    private static double HandWrittenTransitions(string file, SqliteDurability durability, List<long> caseIds, int perCase)
    {
        using var connection = Open(file, durability);
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT version, state FROM cases WHERE id = $id";
        var readId = read.Parameters.Add("$id", SqliteType.Integer);
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE cases SET state = $state, version = $version + 1, updated_at = $now WHERE id = $id AND version = $version";
        var upState = update.Parameters.Add("$state", SqliteType.Text);
        var upVersion = update.Parameters.Add("$version", SqliteType.Integer);
        var upNow = update.Parameters.Add("$now", SqliteType.Text);
        var upId = update.Parameters.Add("$id", SqliteType.Integer);
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO case_events (case_id, sequence, action, from_state, to_state, from_level, level, from_unit_id, unit_id, outcome, actor_id, actor_name, actor_role, actor_unit_id, occurred_at, payload) " +
                             "VALUES ($id, $seq, 'recordSession', $from, 'mediating', 'center', 'center', 1, 1, NULL, 1, '黄丽华', 'centerMediator', 1, $now, '{}')";
        var inId = insert.Parameters.Add("$id", SqliteType.Integer);
        var inSeq = insert.Parameters.Add("$seq", SqliteType.Integer);
        var inFrom = insert.Parameters.Add("$from", SqliteType.Text);
        var inNow = insert.Parameters.Add("$now", SqliteType.Text);

        var started = Stopwatch.GetTimestamp();
        var count = 0;
        for (var round = 0; round < perCase; round++)
        {
            foreach (var id in caseIds)
            {
                using var transaction = connection.BeginTransaction();
                read.Transaction = update.Transaction = insert.Transaction = transaction;
                readId.Value = id;
                long version;
                string state;
                using (var reader = read.ExecuteReader())
                {
                    reader.Read();
                    version = reader.GetInt64(0);
                    state = reader.GetString(1);
                }
                var now = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);
                upState.Value = "mediating";
                upVersion.Value = version;
                upNow.Value = now;
                upId.Value = id;
                if (update.ExecuteNonQuery() != 1)
                    throw new InvalidOperationException("lost a version race in a single-writer benchmark");
                inId.Value = id;
                inSeq.Value = version + 1;
                inFrom.Value = state;
                inNow.Value = now;
                insert.ExecuteNonQuery();
                transaction.Commit();
                count++;
            }
        }
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static double PlainInserts(string file, SqliteDurability durability, int count)
    {
        using var connection = Open(file, durability);
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, value TEXT NOT NULL)";
            create.ExecuteNonQuery();
        }
        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO bench_rows (value) VALUES ($v)";
        var value = insert.Parameters.Add("$v", SqliteType.Text);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            using var transaction = connection.BeginTransaction();
            insert.Transaction = transaction;
            value.Value = "row";
            insert.ExecuteNonQuery();
            transaction.Commit();
        }
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
