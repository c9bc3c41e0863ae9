using System.Text;
using Mediation.Web.Ui;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Validation;
using Microsoft.AspNetCore.Http;

namespace Mediation.Web.Commands;

/// <summary><c>workflows validate</c> and <c>workflows diagram</c>: read definition files only, never a database.</summary>
public static class WorkflowCommands
{
    public static async Task<int> ValidateAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count != 1)
        {
            await error.WriteLineAsync("Usage: workflows validate <file.json|folder>");
            return 2;
        }
        var target = args[0];
        try
        {
            var registry = Directory.Exists(target)
                ? WorkflowLoader.LoadDirectory(target)
                : File.Exists(target)
                    ? WorkflowLoader.Build([(Path.GetFileName(target), await File.ReadAllTextAsync(target))])
                    : throw new WorkflowDefinitionException([new(target, "$", WorkflowRule.MissingField, "no such file or folder")]);
            foreach (var definition in registry.All)
                await output.WriteLineAsync($"ok  {definition.SourceFile}: {definition.Key} v{definition.Version} ({definition.States.Count} states, {definition.Transitions.Count} transitions)");
            return 0;
        }
        catch (WorkflowDefinitionException invalid)
        {
            foreach (var e in invalid.Errors)
                await error.WriteLineAsync($"error  {e}");
            await error.WriteLineAsync($"{invalid.Errors.Count} error(s) in {target}.");
            return 1;
        }
    }

    public static async Task<int> DiagramAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count is not (1 or 3) || (args.Count == 3 && args[1] != "--out"))
        {
            await error.WriteLineAsync("Usage: workflows diagram <file.json> [--out diagram.svg]");
            return 2;
        }
        if (!File.Exists(args[0]))
        {
            await error.WriteLineAsync($"error  {args[0]}: no such file");
            return 1;
        }
        var (definition, errors) = WorkflowLoader.Parse(await File.ReadAllTextAsync(args[0]), Path.GetFileName(args[0]));
        if (definition is null)
        {
            foreach (var e in errors)
                await error.WriteLineAsync($"error  {e}");
            return 1;
        }
        // No request, so the words are the Chinese ones, as the pages show by default.
        var svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + WorkflowDiagram.Draw(definition, new UiText(new HttpContextAccessor())).ToString();
        if (args.Count == 3)
        {
            await File.WriteAllTextAsync(args[2], svg, new UTF8Encoding(false));
            await output.WriteLineAsync($"Wrote {args[2]}: {definition.Key} v{definition.Version}, {definition.States.Count} states, {definition.Transitions.Count} transitions.");
        }
        else
        {
            await output.WriteLineAsync(svg);
        }
        return 0;
    }
}
