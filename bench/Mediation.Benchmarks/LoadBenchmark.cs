using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Mediation.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Mediation.Benchmarks;

/// <summary>
/// 50 signed-in people at once against the real web host (its own process, as installed) over 100,000 cases:
/// each opens the workbench page, lists cases through the API and opens one, over and over. The load comes from
/// this process on the same 2 cores, so the figures include the client's share of the machine.
/// </summary>
internal static class LoadBenchmark
{
    public static async Task RunAsync(string folder, int cases, int users, int seconds)
    {
        Report.Heading($"Web load: {users} signed-in users for {seconds} s over {cases:N0} cases (workbench page, case list and case API)");
        var file = Path.Combine(folder, $"web-{cases}.db");
        if (!File.Exists(file + ".complete"))
        {
            foreach (var f in Directory.GetFiles(folder, Path.GetFileName(file) + "*"))
                File.Delete(f);
            await using (await BenchHost.StartAsync(file, SqliteDurability.Full))
            {
            }
            using var connection = new SqliteConnection($"Data Source={file}");
            connection.Open();
            var units = new List<(long Id, string Path, string Level)>();
            using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT id, path, kind FROM org_units";
                using var reader = read.ExecuteReader();
                while (reader.Read())
                    units.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2) switch { "villagePoint" => "village", "districtStation" => "station", _ => "center" }));
            }
            var random = new Random(4);
            foreach (var unit in units)
            {
                var deadlines = Enumerable.Range(0, cases / units.Count)
                    .Select(_ => random.NextDouble() < 0.1 ? DateTime.UtcNow.AddHours(random.Next(-200, 400)) : (DateTime?)null).ToList();
                BenchCases.Insert(connection, (unit.Id, unit.Path), "accepted", unit.Level, null, deadlines, 2);
            }
            using (var analyze = connection.CreateCommand())
            {
                analyze.CommandText = "INSERT INTO case_tallies (unit_id, level, state, outcome, count) SELECT unit_id, level, state, COALESCE(outcome, ''), COUNT(*) FROM cases GROUP BY 1, 2, 3, 4 ON CONFLICT DO UPDATE SET count = excluded.count; ANALYZE;";
                analyze.ExecuteNonQuery();
            }
            File.WriteAllText(file + ".complete", "");
        }

        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        using var host = StartNode(baseUrl, "--Mediation:ConnectionString", file);
        try
        {
            await WaitHealthyAsync(baseUrl);
            (await DriveAsync(baseUrl, users, seconds)).Print("");
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
        }
    }

    /// <summary>What the users saw: requests per second, failures, and latency samples per kind of request after the warm-up.</summary>
    internal sealed record Result(int Total, int Failures, int MeasuredSeconds, IReadOnlyDictionary<string, Samples> Latencies)
    {
        public double PerSecond => Total / (double)MeasuredSeconds;

        public double WorstP95 => Latencies.Values.Select(s => s.Percentile(95)).DefaultIfEmpty(double.NaN).Max();

        public void Print(string label)
        {
            Report.Figure($"{label}requests per second (all kinds)", PerSecond, "/s", $"{Failures} failed");
            foreach (var (kind, samples) in Latencies.OrderBy(l => l.Key, StringComparer.Ordinal))
                Report.Figure($"{label}{kind} p50", samples.Percentile(50), "ms", $"p95 {samples.Percentile(95):N1} ms, {samples.Count / (double)MeasuredSeconds:N0}/s");
            Report.Figure($"{label}worst p95", WorstP95, "ms", Report.Target(WorstP95 < 100, "p95 < 100 ms"));
        }
    }

    /// <summary>Starts the built web host as its own process (as installed) on a URL, with extra configuration arguments.</summary>
    internal static Process StartNode(string url, params string[] configuration)
    {
        var web = Path.Combine(RepositoryRoot(), "src", "Mediation.Web");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = web, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(web, "bin", "Release", "net10.0", "Mediation.Web.dll"), "--urls", url, "--contentRoot", web, "--Logging:LogLevel:Default", "Warning" }.Concat(configuration))
            start.ArgumentList.Add(arg);
        var host = Process.Start(start)!;
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits up to a minute for /health to answer 200; answers whether it did.</summary>
    internal static async Task<bool> WaitHealthyAsync(string baseUrl)
    {
        using var probe = new HttpClient();
        for (var i = 0; i < 240; i++)
        {
            if (await Healthy(probe, baseUrl))
                return true;
            await Task.Delay(250);
        }
        return false;
    }

    /// <summary>Signs the users in, then each opens the workbench page, lists cases and opens one, over and over, for the given time.</summary>
    internal static async Task<Result> DriveAsync(string baseUrl, int users, int seconds)
    {
        var clients = await SignInAsync(baseUrl, users);
        var result = await DriveAsync(clients, seconds);
        foreach (var client in clients)
            client.Dispose();
        return result;
    }

    /// <summary>One cookie-keeping client per demo account, signed in.</summary>
    internal static async Task<List<HttpClient>> SignInAsync(string baseUrl, int users)
    {
        string[] accounts = [.. Enumerable.Range(1, 38).Select(v => $"cun{v:D2}-1"), .. Enumerable.Range(1, 9).Select(d => $"zhan{d}-1"), "zhongxin1", "zhongxin2", "zhuren"];
        var clients = new List<HttpClient>();
        foreach (var account in accounts.Take(users))
        {
            var client = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(baseUrl) };
            (await client.PostAsJsonAsync("/api/session", new { userName = account, password = "Demo@2026" })).EnsureSuccessStatusCode();
            clients.Add(client);
        }
        return clients;
    }

    /// <summary>Each signed-in client opens the workbench page, lists cases and opens one, over and over, for the given time.</summary>
    internal static async Task<Result> DriveAsync(IReadOnlyList<HttpClient> clients, int seconds)
    {
        var latencies = new ConcurrentDictionary<string, Samples>();
        var failures = 0;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var warmUntil = Stopwatch.GetTimestamp() + 3 * Stopwatch.Frequency;
        var total = 0;
        await Task.WhenAll(clients.Select(async client =>
        {
            long? caseId = null;
            while (Stopwatch.GetTimestamp() < until)
            {
                foreach (var (kind, url) in new[] { ("workbench page", "/"), ("case list API", "/api/cases?pageSize=20"), ("case API", caseId is { } id ? $"/api/cases/{id}" : "/api/cases?pageSize=1") })
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await client.GetAsync(url);
                    var body = await response.Content.ReadAsStringAsync();
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    if (!response.IsSuccessStatusCode)
                        Interlocked.Increment(ref failures);
                    if (kind == "case list API" && caseId is null && response.IsSuccessStatusCode)
                        caseId = JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(i => (long?)i.GetProperty("id").GetInt64()).FirstOrDefault();
                    if (started > warmUntil)
                    {
                        var samples = latencies.GetOrAdd(kind, _ => new Samples());
                        lock (samples)
                            samples.Add(elapsed);
                        Interlocked.Increment(ref total);
                    }
                }
            }
        }));
        return new Result(total, failures, seconds - 3, latencies);
    }

    internal static async Task<bool> Healthy(HttpClient client, string baseUrl)
    {
        try
        {
            return (await client.GetAsync(baseUrl + "/health")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mediation.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root.");
    }
}
