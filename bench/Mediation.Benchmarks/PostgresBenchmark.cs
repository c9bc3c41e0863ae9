namespace Mediation.Benchmarks;

/// <summary>
/// The PostgreSQL run (--postgres "connection string"): the lifecycle against hand-written Npgsql with one and several
/// writers, the web load through haproxy with one node and two, and durable time with one node and two; each on a
/// database of its own that the run creates and drops, then the figures side by side.
/// </summary>
internal static class PostgresBenchmark
{
    public static async Task RunAsync(string connectionString, IReadOnlyCollection<string> skip, int lifecycles, int writers, int webCases, int webSeconds, int steadySeconds, int burst, string haproxy)
    {
        var server = new PostgresServer(connectionString);
        var described = await server.DescribeAsync();
        Console.WriteLine($"On {described}; {Report.MachineLoad()}");
        if (described.Contains("fsync=off", StringComparison.Ordinal))
            Console.WriteLine("  (fsync=off: a commit here costs no disk flush, unlike on a production server; read write rates as an upper bound)");
        var lifecycle = skip.Contains("--skip-lifecycle") ? [] : await PostgresLifecycleBenchmark.RunAsync(server, lifecycles, writers);
        var web = skip.Contains("--skip-web") ? [] : await ProxyLoadBenchmark.RunAsync(server, webCases, 50, webSeconds, haproxy);
        var timers = skip.Contains("--skip-timers") ? [] : await PostgresTimerBenchmark.RunAsync(server, 200, steadySeconds, burst);

        Report.Heading($"PostgreSQL summary ({Report.MachineLoad()})");
        foreach (var l in lifecycle)
        {
            Report.Figure($"pipeline transitions/s, {l.Writers} writer{(l.Writers == 1 ? "" : "s")}", l.PipelinePerSecond, "/s",
                Report.Ratio(l.PipelinePerSecond, l.ReferencePerSecond, $"hand-written Npgsql ({l.ReferencePerSecond:N0}/s)"));
        }
        foreach (var w in web)
        {
            Report.Figure($"web requests/s through haproxy, {w.Nodes} node{(w.Nodes == 1 ? "" : "s")}", w.Load.PerSecond, "/s",
                $"worst p95 {w.Load.WorstP95:N1} ms, {w.Load.Failures} failed" + (w.Nodes > 1 ? "; " + Report.Ratio(w.Load.PerSecond, web[0].Load.PerSecond, "1 node") : ""));
        }
        foreach (var t in timers)
        {
            Report.Figure($"timer lag p50, {t.Nodes} node{(t.Nodes == 1 ? "" : "s")}", t.SteadyLag.Percentile(50), "ms",
                $"p99 {t.SteadyLag.Percentile(99):N1} ms; {burst:N0} drained in {t.BurstDrainSeconds:N2} s; early/twice/lost {t.Early}/{t.AppliedTwice}/{t.NotApplied}");
        }
    }
}
