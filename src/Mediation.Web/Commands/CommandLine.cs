using Mediation.Web.Accounts;

namespace Mediation.Web.Commands;

/// <summary>One command of the product's command line: its words, its usage line, and how it runs.</summary>
/// <param name="Words">The words that name it, e.g. ["workflows", "validate"].</param>
/// <param name="WithoutHost">Runs on its own (no host, no database), given the arguments after its words.</param>
/// <param name="WithHost">Runs against the started host's database, given the arguments after its first word.</param>
/// <param name="HostArguments">The arguments meant for the host's configuration (null: every --Section:Key=value).</param>
public sealed record Command(
    string[] Words,
    string Usage,
    Func<IReadOnlyList<string>, TextWriter, TextWriter, Task<int>>? WithoutHost = null,
    Func<IServiceProvider, IReadOnlyList<string>, TextReader, TextWriter, TextWriter, Task<int>>? WithHost = null,
    Func<IReadOnlyList<string>, string[]>? HostArguments = null);

/// <summary>
/// The command table: <c>Mediation.Web &lt;command&gt; …</c> runs one command and exits; no arguments (or only
/// --Section:Key=value settings) starts the product. Exit 0 done, 1 the command found a problem, 2 the command was misused.
/// </summary>
public static class CommandLine
{
    public static readonly IReadOnlyList<Command> Table =
    [
        new(["help"], "help", WithoutHost: (_, output, _) => Help(output)),
        new(["admin", "create"], AdminCommand.Usage, WithHost: AdminCommand.RunAsync, HostArguments: AdminCommand.HostArguments),
        new(["workflows", "validate"], "workflows validate <file.json|folder>", WithoutHost: WorkflowCommands.ValidateAsync),
        new(["workflows", "diagram"], "workflows diagram <file.json> [--out diagram.svg]", WithoutHost: WorkflowCommands.DiagramAsync),
        new(["backup"], "backup [--to folder]", WithoutHost: BackupCommands.BackupAsync),
        new(["restore"], "restore <backup-folder|manifest.json> --to <empty folder>", WithoutHost: BackupCommands.RestoreAsync),
        new(["verify"], "verify [database file]", WithoutHost: BackupCommands.VerifyAsync),
        new([MigrateCasesCommand.Name], MigrateCasesCommand.Usage, WithHost: (services, args, _, output, error) => MigrateCasesCommand.RunAsync(services, args, output, error)),
    ];

    /// <summary>True when the first argument names a command rather than a setting for the product's start.</summary>
    public static bool IsCommand(IReadOnlyList<string> args) => args.Count > 0 && !args[0].StartsWith('-');

    /// <summary>The command the arguments name, or null (the caller prints the usage and exits 2).</summary>
    public static Command? Find(IReadOnlyList<string> args) =>
        Table.Where(c => c.Words.Length <= args.Count && c.Words.Select((w, i) => args[i] == w).All(same => same))
            .MaxBy(c => c.Words.Length)
            ?? Table.FirstOrDefault(c => args.Count > 0 && c.Words[0] == args[0] && c.WithHost is not null);

    /// <summary>Runs a command that needs no host; unknown or misused commands print the usage and exit 2.</summary>
    public static async Task<int> RunWithoutHostAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (Find(args) is not { WithoutHost: { } run } command)
        {
            await error.WriteLineAsync($"Unknown command '{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2))}'.");
            await WriteUsageAsync(error);
            return 2;
        }
        return await run([.. args.Skip(command.Words.Length)], output, error);
    }

    /// <summary>The arguments of the host a database command starts.</summary>
    public static string[] HostArgumentsOf(Command command, IReadOnlyList<string> args) =>
        command.HostArguments?.Invoke(args) ?? [.. args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal))];

    private static async Task<int> Help(TextWriter output)
    {
        await WriteUsageAsync(output);
        return 0;
    }

    private static async Task WriteUsageAsync(TextWriter writer)
    {
        await writer.WriteLineAsync("Usage: dotnet run --project src/Mediation.Web -- <command> [options] [--Mediation:Key=value …]");
        await writer.WriteLineAsync("Commands:");
        foreach (var command in Table)
            await writer.WriteLineAsync($"  {command.Usage.Replace("dotnet run --project src/Mediation.Web -- ", "", StringComparison.Ordinal)}");
        await writer.WriteLineAsync("Without a command the product starts (exit codes: 0 done, 1 a problem was found, 2 misused).");
    }

    /// <summary>The value after an option, or null when it is absent or has no value.</summary>
    public static string? Option(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                return args[i + 1];
        }
        return null;
    }
}
