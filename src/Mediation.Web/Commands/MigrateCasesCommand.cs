using System.Globalization;
using Mediation.Application.Features.Workflow.Migrations;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Org;
using Mediation.Workflows.Migrations;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Web.Commands;

/// <summary>
/// <c>migrate-cases preview|apply &lt;migration-file&gt;</c>: the same preview and apply as /admin/migrations, street by
/// street, as the command line's administrator of each street; prints what moves, what changes and what is refused.
/// </summary>
public static class MigrateCasesCommand
{
    public const string Name = "migrate-cases";
    public const string Usage = "migrate-cases preview|apply <file>.migration.json [--Mediation:...]";

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count < 2 || args[0] is not ("preview" or "apply"))
        {
            await error.WriteLineAsync($"Usage: {Usage}");
            return 2;
        }
        var apply = args[0] == "apply";
        var file = Path.GetFileName(args[1]);
        var id = file.EndsWith(MigrationLoader.Suffix, StringComparison.OrdinalIgnoreCase) ? file[..^MigrationLoader.Suffix.Length] : file;

        List<OrgUnit> streets;
        await using (var scope = services.CreateAsyncScope())
        {
            streets = await scope.ServiceProvider.GetRequiredService<MediationDbContext>().OrgUnits.AsNoTracking()
                .Where(u => u.ParentId == null && u.Kind == OrgUnitKind.StreetCenter).OrderBy(u => u.Id).ToListAsync();
        }
        var refused = 0;
        foreach (var street in streets)
        {
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<ActorContext>().Use(new Actor(0, "命令行 / command line", Actor.Roles.Administrator, street.Id, street.Path));
            MigrationReport report;
            try
            {
                report = await scope.ServiceProvider.GetRequiredService<IMediator>().Send<MigrationReport>(apply ? new ApplyWorkflowMigration(id) : new PreviewWorkflowMigration(id));
            }
            catch (NotFoundException)
            {
                await error.WriteLineAsync($"No migration file '{file}' lies beside the workflow definitions (Mediation:WorkflowsPath); it must be there at start-up.");
                return 1;
            }
            await WriteAsync(output, street, report);
            refused += report.Refused.Count;
        }
        if (!apply)
            await output.WriteLineAsync("Nothing was changed. Run 'migrate-cases apply' to move the cases.");
        return refused > 0 && apply ? 3 : 0;
    }

    private static async Task WriteAsync(TextWriter output, OrgUnit street, MigrationReport report)
    {
        var m = report.Migration;
        var verb = report.Applied ? "moved" : "would move";
        await output.WriteLineAsync($"{street.Name}: {m.WorkflowKey} v{m.FromVersion} → v{m.ToVersion}: {report.Cases.Count} case(s) {verb}, {report.Refused.Count} refused, {report.TimersChanged} timer(s) changed.");
        foreach (var move in report.Moves)
            await output.WriteLineAsync($"  {move.FromState} @ {move.FromLevel} → {move.ToState} @ {move.ToLevel}: {move.Cases}");
        foreach (var c in report.Cases.Where(c => c.DeadlineBefore != c.DeadlineAfter))
            await output.WriteLineAsync($"  {c.CaseNumber}: deadline {Time(c.DeadlineBefore)} → {Time(c.DeadlineAfter)} (China time)");
        foreach (var c in report.Refused)
            await output.WriteLineAsync($"  {c.CaseNumber} cannot be migrated: {c.Refusal}");
    }

    private static string Time(DateTime? utc) =>
        utc is { } t ? (t + Mediation.Workflows.Time.WorkingDayCalendar.ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "none";
}
