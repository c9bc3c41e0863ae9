using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Mediation.Benchmarks;

/// <summary>
/// Case writes through the real web host (its own process, a fresh demo database) with nobody signing in, then with
/// four loops signing in back to back, in alternating rounds: signing in must not take the write gate from the work.
/// The host's sign-in rate limits are lifted so that every attempt really hashes.
/// </summary>
internal static class SignInBenchmark
{
    private const int Writers = 8;
    private const int SignInLoops = 4;

    public static async Task RunAsync(string folder, int seconds, int rounds)
    {
        Report.Heading($"Case writes alone and with {SignInLoops} concurrent sign-in loops ({Writers} writers over HTTP, {rounds} rounds of {seconds} s each)");
        var file = Path.Combine(folder, "sign-in.db");
        foreach (var f in Directory.GetFiles(folder, "sign-in.db*"))
            File.Delete(f);

        var port = LoadBenchmark.FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var web = Path.Combine(LoadBenchmark.RepositoryRoot(), "src", "Mediation.Web");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = web, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            Path.Combine(web, "bin", "Release", "net10.0", "Mediation.Web.dll"), "--urls", baseUrl, "--contentRoot", web, "--Mediation:ConnectionString", file,
            "--Logging:LogLevel:Default", "Warning", "--Mediation:SignIn:PerAccountPerMinute", "1000000", "--Mediation:SignIn:PerAddressPerMinute", "1000000",
        })
            start.ArgumentList.Add(arg);
        using var host = Process.Start(start)!;
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            using (var probe = new HttpClient())
            {
                for (var i = 0; i < 240 && !(await LoadBenchmark.Healthy(probe, baseUrl)); i++)
                    await Task.Delay(250);
            }
            var writers = new List<HttpClient>();
            for (var w = 1; w <= Writers; w++)
            {
                var client = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(baseUrl) };
                (await client.PostAsJsonAsync("/api/session", new { userName = $"cun{w:D2}-1", password = "Demo@2026" })).EnsureSuccessStatusCode();
                writers.Add(client);
            }

            await WriteAsync(writers, 5, signIns: false, baseUrl); // warm-up
            await WriteAsync(writers, 3, signIns: true, baseUrl);
            var alone = new List<double>();
            var along = new List<double>();
            var signInRates = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                alone.Add((await WriteAsync(writers, seconds, signIns: false, baseUrl)).WritesPerSecond);
                var contended = await WriteAsync(writers, seconds, signIns: true, baseUrl);
                along.Add(contended.WritesPerSecond);
                signInRates.Add(contended.SignInsPerSecond);
            }

            var aloneMedian = Median(alone);
            var alongMedian = Median(along);
            Report.Figure("case writes/s, nobody signing in (median)", aloneMedian, "/s", $"rounds: {string.Join(", ", alone.Select(a => a.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}");
            Report.Figure($"case writes/s, {SignInLoops} sign-in loops running (median)", alongMedian, "/s", $"rounds: {string.Join(", ", along.Select(a => a.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}");
            Report.Figure("sign-ins/s meanwhile (median)", Median(signInRates), "/s");
            var ratio = alongMedian / aloneMedian;
            Report.Figure("with sign-ins / alone", ratio * 100, "%", Report.Target(ratio >= 0.8, "≥ 80 %"));
            foreach (var client in writers)
                client.Dispose();
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
        }
    }

    private static async Task<(double WritesPerSecond, double SignInsPerSecond)> WriteAsync(List<HttpClient> writers, int seconds, bool signIns, string baseUrl)
    {
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var writes = 0;
        var signedIn = 0;
        var failures = 0;
        var work = writers.Select(async client =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                using var response = await client.PostAsJsonAsync("/api/cases", new
                {
                    channel = "walkIn", category = "neighbour", summary = "邻里排水纠纷", riskLevel = "low", riskSignals = "none",
                    parties = new object[] { new { role = "applicant", name = "王秀英" }, new { role = "respondent", name = "李德胜" } },
                });
                if (response.IsSuccessStatusCode)
                    Interlocked.Increment(ref writes);
                else
                    Interlocked.Increment(ref failures);
            }
        }).ToList();
        if (signIns)
        {
            work.AddRange(Enumerable.Range(1, SignInLoops).Select(async loop =>
            {
                using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(baseUrl) };
                while (Stopwatch.GetTimestamp() < until)
                {
                    using var response = await client.PostAsJsonAsync("/api/session", new { userName = $"zhan{loop}-1", password = "Demo@2026" });
                    if (response.IsSuccessStatusCode)
                        Interlocked.Increment(ref signedIn);
                    else
                        Interlocked.Increment(ref failures);
                }
            }));
        }
        await Task.WhenAll(work);
        if (failures > 0)
            Console.WriteLine($"  ({failures} requests failed)");
        return (writes / (double)seconds, signedIn / (double)seconds);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
