using System.Diagnostics;
using System.Globalization;

namespace Mediation.Benchmarks;

/// <summary>Latency samples and their percentiles, and one line per figure with its ratio to a reference.</summary>
internal sealed class Samples
{
    private readonly List<double> _ms = [];

    public int Count => _ms.Count;

    public void Add(TimeSpan elapsed) => _ms.Add(elapsed.TotalMilliseconds);

    public double Percentile(double p)
    {
        if (_ms.Count == 0)
            return double.NaN;
        var sorted = _ms.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    public static async Task<Samples> TimeAsync(int iterations, Func<int, Task> work)
    {
        var samples = new Samples();
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await work(i);
            samples.Add(Stopwatch.GetElapsedTime(started));
        }
        return samples;
    }
}

internal static class Report
{
    public static void Heading(string text)
    {
        Console.WriteLine();
        Console.WriteLine(text);
        Console.WriteLine(new string('-', text.Length));
    }

    public static void Figure(string name, double value, string unit, string? reference = null) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-58} {value,12:N2} {unit,-6} {reference}"));

    public static string Ratio(double value, double reference, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"= {value / reference * 100:N0} % of {what}");

    /// <summary>The machine's load averages (1, 5, 15 minutes): the cores are shared, so a figure is read with the load it ran under.</summary>
    public static string MachineLoad() =>
        File.Exists("/proc/loadavg") ? "load average " + string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "load average unknown";

    public static string Rounds(IEnumerable<double> rates) => string.Join(" ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)));

    public static string Target(bool met, string target) => met ? $"target {target}: met" : $"target {target}: MISSED";
}
