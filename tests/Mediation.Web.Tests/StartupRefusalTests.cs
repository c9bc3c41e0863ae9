using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Mediation.Web.Tests;

// The built product, started as an operator starts it, against a broken workflows folder.
public class StartupRefusalTests
{
    [Fact]
    public async Task BrokenDefinition_StopsTheProduct_WithOneMessageAndExitCode2()
    {
        var workflows = CopyOfShippedWorkflows();
        var file = Path.Combine(workflows, "mediation-1-9-n.json");
        var doc = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        doc["transitions"]![4]!["to"] = "settled";
        File.WriteAllText(file, doc.ToJsonString());

        var (exitCode, output, errors) = await RunProductAsync(workflows);

        Assert.Equal(2, exitCode);
        Assert.Contains("mediation-1-9-n.json: $.transitions[4].to: TransitionToNowhere", errors, StringComparison.Ordinal);
        NoStackTrace(output + errors);
    }

    [Fact]
    public async Task MissingCalendar_StopsTheProduct_NamingTheSettingThatAllowsWeekdays()
    {
        var workflows = CopyOfShippedWorkflows();
        File.Delete(Path.Combine(workflows, "calendars", "cn-working-days.json"));

        var (exitCode, output, errors) = await RunProductAsync(workflows);

        Assert.Equal(2, exitCode);
        Assert.Contains("cn-working-days.json", errors, StringComparison.Ordinal);
        Assert.Contains("Mediation:Calendar=WeekdaysOnly", errors, StringComparison.Ordinal);
        NoStackTrace(output + errors);
    }

    [Fact]
    public async Task UnreadableSetting_StopsTheProduct_NamingTheKey()
    {
        var (exitCode, output, errors) = await RunProductAsync(CopyOfShippedWorkflows(), ("Mediation__Calendar", "Sundays"));

        Assert.Equal(2, exitCode);
        Assert.Contains("Mediation:Calendar", errors, StringComparison.Ordinal);
        NoStackTrace(output + errors);
    }

    private static void NoStackTrace(string text)
    {
        Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunProductAsync(string workflows, params (string Name, string Value)[] settings)
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-web-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("dotnet", [ProductDll()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
            Environment =
            {
                ["Mediation__WorkflowsPath"] = workflows,
                ["Mediation__ConnectionString"] = Path.Combine(folder, "mediation.db"),
                ["Mediation__Port"] = "0",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        foreach (var (name, value) in settings)
            start.Environment[name] = value;
        return await RunToExitAsync(start);
    }

    // Runs the product to its exit (a minute at most) and keeps what it printed.
    internal static async Task<(int ExitCode, string Output, string Errors)> RunToExitAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await errors);
    }

    // The web project's own build output, which sits beside this test project's under the same configuration.
    internal static string ProductDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "Mediation.Web.dll");
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "Mediation.Web.runtimeconfig.json")))
            return beside;
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (!File.Exists(Path.Combine(root.FullName, "Mediation.sln")))
            root = root.Parent!;
        return Path.Combine(root.FullName, "src", "Mediation.Web", "bin", configuration, framework, "Mediation.Web.dll");
    }

    private static string CopyOfShippedWorkflows()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
        var folder = Path.Combine(Path.GetTempPath(), "mediation-web-tests", "workflows-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "calendars"));
        File.Copy(Path.Combine(shipped, "mediation-1-9-n.json"), Path.Combine(folder, "mediation-1-9-n.json"));
        File.Copy(Path.Combine(shipped, "calendars", "cn-working-days.json"), Path.Combine(folder, "calendars", "cn-working-days.json"));
        return folder;
    }
}
