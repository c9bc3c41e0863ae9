using System.Globalization;
using Mediation.Benchmarks;
using Mediation.Infrastructure;

// dotnet run -c Release --project bench/Mediation.Benchmarks [-- --lifecycles N --cases N --events-per-case N --skip-queries --skip-timers --skip-web | --queries-only | --timers-only | --web-only | --sign-in-only | --normal-only]
// On PostgreSQL instead: -- --postgres "Host=...;Username=..." [--writers N --web-cases N --web-seconds N --steady-seconds N --burst N --haproxy PATH --skip-lifecycle --skip-web --skip-timers]
var lifecycles = Option("--lifecycles", 1000);
var cases = Option("--cases", 1_000_000);
var eventsPerCase = Option("--events-per-case", 10);
var folder = Path.GetFullPath(Environment.GetEnvironmentVariable("MEDIATION_BENCH_DATA") ?? Path.Combine("artifacts", "bench"));
Directory.CreateDirectory(folder);
Console.WriteLine($"Mediation benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}, data in {folder}");

var postgres = Array.IndexOf(args, "--postgres");
if (postgres >= 0)
{
    if (postgres + 1 >= args.Length)
    {
        Console.Error.WriteLine("--postgres needs a connection string to a server where the run may create and drop its own databases, e.g. --postgres \"Host=127.0.0.1;Port=55432;Username=postgres\"");
        return 2;
    }
    await PostgresBenchmark.RunAsync(args[postgres + 1], args, lifecycles, Option("--writers", 4), Option("--web-cases", 100_000), Option("--web-seconds", 30),
        Option("--steady-seconds", 20), Option("--burst", 10_000), Text("--haproxy", "/usr/sbin/haproxy"));
    return 0;
}
if (args.Contains("--web-only"))
{
    await LoadBenchmark.RunAsync(folder, Option("--web-cases", 100_000), 50, Option("--web-seconds", 30));
    return 0;
}
if (args.Contains("--sign-in-only"))
{
    await SignInBenchmark.RunAsync(folder, Option("--sign-in-seconds", 10), Option("--sign-in-rounds", 3));
    return 0;
}
if (args.Contains("--timers-only"))
{
    await TimerBenchmark.RunAsync(folder, Option("--follow-ups", 100_000), 200, Option("--steady-seconds", 20), Option("--burst", 10_000));
    return 0;
}
if (args.Contains("--queries-only"))
{
    await QueryBenchmark.RunAsync(folder, cases, eventsPerCase);
    return 0;
}
if (args.Contains("--normal-only"))
{
    await LifecycleBenchmark.RunAsync(folder, SqliteDurability.Normal, lifecycles);
    return 0;
}
var full = await LifecycleBenchmark.RunAsync(folder, SqliteDurability.Full, lifecycles);
var normal = await LifecycleBenchmark.RunAsync(folder, SqliteDurability.Normal, lifecycles);
Report.Heading("Durability summary (pipeline transitions/s)");
Report.Figure("WAL + synchronous=FULL (default: survives power loss)", full.PipelinePerSecond, "/s", Report.Ratio(full.PipelinePerSecond, full.ReferencePerSecond, "hand-written FULL"));
Report.Figure("WAL + synchronous=NORMAL (may lose last commits)", normal.PipelinePerSecond, "/s", Report.Ratio(normal.PipelinePerSecond, normal.ReferencePerSecond, "hand-written NORMAL"));

if (!args.Contains("--skip-queries"))
    await QueryBenchmark.RunAsync(folder, cases, eventsPerCase);
if (!args.Contains("--skip-web"))
    await LoadBenchmark.RunAsync(folder, Option("--web-cases", 100_000), 50, Option("--web-seconds", 30));
if (!args.Contains("--skip-sign-in"))
    await SignInBenchmark.RunAsync(folder, Option("--sign-in-seconds", 10), Option("--sign-in-rounds", 3));
if (!args.Contains("--skip-timers"))
    await TimerBenchmark.RunAsync(folder, Option("--follow-ups", 100_000), 200, Option("--steady-seconds", 20), Option("--burst", 10_000));
return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

string Text(string name, string fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}
