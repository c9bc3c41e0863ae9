using System.Diagnostics;
using System.Globalization;
using Mediation.Infrastructure;
using Npgsql;

namespace Mediation.Benchmarks;

/// <summary>
/// The web load benchmark (50 signed-in users, workbench page, case list and case API) on one PostgreSQL database
/// through haproxy: first with one node of the built web host behind it, then with two. The nodes are real processes;
/// the proxy's config is written by the bench into a temporary folder (the shipped one lives under deploy/).
/// </summary>
internal static class ProxyLoadBenchmark
{
    public sealed record Result(int Nodes, LoadBenchmark.Result Load);

    // The bench's own ports (5200–5299): the proxy, then one per node.
    private const int ProxyPort = 5200;
    private const int FirstNodePort = 5201;
    private const int StatsPort = 5209;
    private const int WarmUpSeconds = 8;

    public static async Task<List<Result>> RunAsync(PostgresServer server, int cases, int users, int seconds, string haproxy)
    {
        Report.Heading($"Web load on PostgreSQL through haproxy: {users} signed-in users for {seconds} s over {cases:N0} cases, 1 node then 2 nodes");
        var database = await server.CreateDatabaseAsync("web");
        var folder = Directory.CreateTempSubdirectory("mediation-bench-proxy-").FullName;
        var nodes = new List<Process>();
        Process? proxy = null;
        List<HttpClient>? clients = null;
        var results = new List<Result>();
        try
        {
            var seeding = Stopwatch.GetTimestamp();
            await using (await BenchHost.StartAsync(new MediationOptions { Provider = DatabaseProvider.Postgres, ConnectionString = database }))
            {
            }
            await using (var connection = new NpgsqlConnection(database))
            {
                await connection.OpenAsync();
                var units = new List<(long Id, string Path, string Level)>();
                await using (var read = new NpgsqlCommand("SELECT id, path, kind FROM org_units", connection))
                await using (var reader = await read.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                        units.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2) switch { "villagePoint" => "village", "districtStation" => "station", _ => "center" }));
                }
                var random = new Random(4);
                foreach (var unit in units)
                {
                    var deadlines = Enumerable.Range(0, cases / units.Count)
                        .Select(_ => random.NextDouble() < 0.1 ? DateTime.UtcNow.AddHours(random.Next(-200, 400)) : (DateTime?)null).ToList();
                    await PostgresCases.InsertAsync(connection, (unit.Id, unit.Path), "accepted", unit.Level, null, deadlines, 2);
                }
                await PostgresCases.TallyAndAnalyzeAsync(connection);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ({cases:N0} cases written by COPY in {Stopwatch.GetElapsedTime(seeding).TotalSeconds:N1} s; the proxy config is generated into {folder})"));

            foreach (var count in new[] { 1, 2 })
            {
                while (nodes.Count < count)
                {
                    var url = $"http://127.0.0.1:{FirstNodePort + nodes.Count}";
                    nodes.Add(LoadBenchmark.StartNode(url, "--Mediation:Provider", "Postgres", "--Mediation:ConnectionString", database));
                    if (!await LoadBenchmark.WaitHealthyAsync(url))
                        throw new InvalidOperationException($"Node {nodes.Count} at {url} did not become healthy within a minute{(nodes[^1].HasExited ? $" (it exited with {nodes[^1].ExitCode})" : "")}.");
                }
                proxy = await StartProxyAsync(haproxy, folder, count);
                Console.WriteLine($"  {count} node{(count == 1 ? "" : "s")} behind haproxy ({Report.MachineLoad()})");
                // Signed in once, through the proxy with one node: the two-node run uses the same sessions, so a cookie one node
                // issued must hold on the other (a failure there shows as failed requests).
                clients ??= await LoadBenchmark.SignInAsync($"http://127.0.0.1:{ProxyPort}", users);
                // A node just started runs cold (JIT, pools): an unmeasured pass first, then the proxy's counters start afresh.
                await LoadBenchmark.DriveAsync(clients, WarmUpSeconds);
                await StopAsync(proxy);
                proxy = await StartProxyAsync(haproxy, folder, count);
                var load = await LoadBenchmark.DriveAsync(clients, seconds);
                load.Print($"{count} node{(count == 1 ? ":  " : "s: ")}");
                Console.WriteLine($"  requests each node answered (haproxy's count): {await PerNodeAsync()}");
                results.Add(new Result(count, load));
                await StopAsync(proxy);
                proxy = null;
            }
        }
        finally
        {
            foreach (var client in clients ?? [])
                client.Dispose();
            if (proxy is not null)
                await StopAsync(proxy);
            foreach (var node in nodes)
                await StopAsync(node);
            await server.DropDatabaseAsync(database);
            Directory.Delete(folder, recursive: true);
        }
        return results;
    }

    /// <summary>haproxy in the foreground on the proxy port, balancing each request round-robin over the running nodes, checking /health.</summary>
    private static async Task<Process> StartProxyAsync(string haproxy, string folder, int nodes)
    {
        var config = Path.Combine(folder, $"haproxy-{nodes}.cfg");
        var servers = string.Join(Environment.NewLine, Enumerable.Range(0, nodes).Select(i => $"    server node{i + 1} 127.0.0.1:{FirstNodePort + i} check inter 2s fall 5 rise 1"));
        await File.WriteAllTextAsync(config, $"""
            global
                maxconn 4096

            defaults
                mode http
                option http-keep-alive
                timeout connect 5s
                timeout client 60s
                timeout server 60s
                # a loaded 2-core machine answers /health slowly; a node is not taken out for that
                timeout check 5s

            listen stats
                bind 127.0.0.1:{StatsPort}
                stats enable
                stats uri /stats

            frontend mediation
                bind 127.0.0.1:{ProxyPort}
                default_backend nodes

            backend nodes
                balance roundrobin
                option httpchk GET /health
                http-check expect status 200
            {servers}

            """);
        var start = new ProcessStartInfo(haproxy) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-db", "-f", config })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!await LoadBenchmark.WaitHealthyAsync($"http://127.0.0.1:{ProxyPort}"))
            throw new InvalidOperationException($"haproxy ({haproxy} -f {config}) did not pass a healthy node within a minute{(process.HasExited ? $" (it exited with {process.ExitCode})" : "")}.");
        return process;
    }

    // From haproxy's CSV statistics: the backend's servers and the HTTP requests each was sent.
    private static async Task<string> PerNodeAsync()
    {
        using var client = new HttpClient();
        var lines = (await client.GetStringAsync($"http://127.0.0.1:{StatsPort}/stats;csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        var requests = Array.IndexOf(header, "req_tot") is >= 0 and var r ? r : Array.IndexOf(header, "stot");
        return string.Join(", ", lines.Skip(1).Select(l => l.Split(','))
            .Where(f => f[0] == "nodes" && f[1].StartsWith("node", StringComparison.Ordinal))
            .Select(f => $"{f[1]} {f[requests]}"));
    }

    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
