using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Mediation.Web.Commands;

namespace Mediation.Web.Tests;

// The product's command line: exit codes and what the operator reads.
public class CommandLineTests
{
    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "workflows", "mediation-1-9-n.json");

    [Fact]
    public async Task WorkflowsValidate_ShippedFolder_PrintsEachDefinition_Exit0()
    {
        var (exit, output, errors) = await Run("workflows", "validate", Path.GetDirectoryName(Shipped)!);

        Assert.True(exit == 0, errors);
        Assert.Contains("ok  mediation-1-9-n.json: mediation-1-9-n v", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkflowsValidate_BrokenFile_NamesFileAndPath_Exit1()
    {
        var file = Broken();

        var (exit, _, errors) = await Run("workflows", "validate", file);

        Assert.Equal(1, exit);
        Assert.Contains($"{Path.GetFileName(file)}: $.transitions[4].to: TransitionToNowhere", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkflowsDiagram_WritesSvgThatParses_WithChineseStatesAndTransitions()
    {
        var svg = Path.Combine(Folder(), "diagram.svg");

        var (exit, output, errors) = await Run("workflows", "diagram", Shipped, "--out", svg);

        Assert.True(exit == 0, errors);
        Assert.Contains("diagram.svg", output, StringComparison.Ordinal);
        var root = XDocument.Load(svg).Root!;
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", root.Name);
        var texts = root.Descendants(ns + "text").Select(t => t.Value).ToList();
        var definition = JsonNode.Parse(File.ReadAllText(Shipped))!;
        Assert.Contains((string)definition["states"]![0]!["title"]!["zh"]!, texts);
        Assert.Contains((string)definition["transitions"]![1]!["title"]!["zh"]!, texts);
        Assert.NotEmpty(root.Descendants(ns + "line"));
    }

    [Fact]
    public async Task WorkflowsDiagram_BrokenFile_Exit1()
    {
        var (exit, _, errors) = await Run("workflows", "diagram", Broken());

        Assert.Equal(1, exit);
        Assert.Contains("TransitionToNowhere", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_PrintsUsage_Exit2_AndHelpListsEveryCommand()
    {
        var (exit, _, errors) = await Run("frobnicate");
        Assert.Equal(2, exit);
        Assert.Contains("Unknown command 'frobnicate'", errors, StringComparison.Ordinal);

        var (helpExit, help, _) = await Run("help");
        Assert.Equal(0, helpExit);
        foreach (var command in CommandLine.Table)
            Assert.Contains(string.Join(' ', command.Words), help, StringComparison.Ordinal);
    }

    [Fact]
    public void Product_SettingsAlone_AreNoCommand_SoTheProductStarts()
    {
        Assert.False(CommandLine.IsCommand(["--Mediation:Port=5130"]));
        Assert.True(CommandLine.IsCommand(["workflows", "validate", "x"]));
        Assert.Null(CommandLine.Find(["workflows", "draw"])?.WithHost);
    }

    // The built product, as an operator runs it: a file command touches no database, an unknown one exits 2.
    [Fact]
    public async Task BuiltProduct_ValidateCreatesNoDatabase_UnknownCommandExits2()
    {
        var folder = Folder();
        var database = Path.Combine(folder, "mediation.db");

        var (exit, output, _) = await RunProductAsync(folder, database, "workflows", "validate", Path.GetDirectoryName(Shipped)!);
        var (unknownExit, _, unknownErrors) = await RunProductAsync(folder, database, "nonsense");

        Assert.Equal(0, exit);
        Assert.Contains("ok  mediation-1-9-n.json", output, StringComparison.Ordinal);
        Assert.False(File.Exists(database));
        Assert.Equal(2, unknownExit);
        Assert.Contains("Usage:", unknownErrors, StringComparison.Ordinal);
        Assert.False(File.Exists(database));
    }

    private static async Task<(int Exit, string Output, string Errors)> Run(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var exit = await CommandLine.RunWithoutHostAsync(args, output, errors);
        return (exit, output.ToString(), errors.ToString());
    }

    private static string Folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mediation-web-tests", "cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static string Broken()
    {
        var doc = JsonNode.Parse(File.ReadAllText(Shipped))!.AsObject();
        doc["transitions"]![4]!["to"] = "settled";
        var file = Path.Combine(Folder(), "broken.json");
        File.WriteAllText(file, doc.ToJsonString());
        return file;
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunProductAsync(string folder, string database, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [StartupRefusalTests.ProductDll(), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
            Environment = { ["Mediation__ConnectionString"] = database, ["Mediation__Port"] = "0" },
        };
        return await StartupRefusalTests.RunToExitAsync(start);
    }
}
