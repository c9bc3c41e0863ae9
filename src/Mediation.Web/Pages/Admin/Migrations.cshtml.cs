using Mediation.Application.Features.Workflow;
using Mediation.Application.Features.Workflow.Migrations;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Web.Ui;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages.Admin;

/// <summary>管理员: migration files beside the definitions; preview one, then apply it, through the same requests as the API.</summary>
[Authorize(Roles = "administrator")]
public sealed class MigrationsModel(IMediator mediator, WorkflowCatalog workflows, UiText text) : PageModel
{
    public IReadOnlyList<MigrationSummary> Available { get; private set; } = [];
    public MigrationReport? Report { get; private set; }
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Available = await mediator.Send(new ListWorkflowMigrations(), cancellationToken);

    public Task<IActionResult> OnPostPreviewAsync(string migrationId, CancellationToken cancellationToken) =>
        RunAsync(new PreviewWorkflowMigration(migrationId ?? ""), cancellationToken);

    public async Task<IActionResult> OnPostApplyAsync(string migrationId, bool confirmed, CancellationToken cancellationToken)
    {
        if (!confirmed)
        {
            Error = text["migrationConfirmFirst"];
            return await RunAsync(new PreviewWorkflowMigration(migrationId ?? ""), cancellationToken);
        }
        return await RunAsync(new ApplyWorkflowMigration(migrationId ?? ""), cancellationToken);
    }

    private async Task<IActionResult> RunAsync(IRequest<MigrationReport> request, CancellationToken cancellationToken)
    {
        try
        {
            Report = await mediator.Send(request, cancellationToken);
            if (Report.Applied)
                Message = string.Format(System.Globalization.CultureInfo.InvariantCulture, text["migrationApplied"], Report.Cases.Count, Report.Refused.Count);
        }
        catch (Exception ex) when (ex is NotFoundException or RequestValidationException or DomainRuleException)
        {
            Error = ex is NotFoundException ? text["migrationNotFound"] : ex.Message;
        }
        Available = await mediator.Send(new ListWorkflowMigrations(), cancellationToken);
        return Page();
    }

    public string StateTitle(int version, string state) =>
        Definition(version)?.States.FirstOrDefault(s => s.Id == state) is { } s ? text.Of(s.Title) : state;

    public string LevelTitle(int version, string level) =>
        Definition(version)?.Levels.FirstOrDefault(l => l.Id == level) is { } l ? text.Of(l.Title) : level;

    public string Change(TimerChangeKind change) => text["migrationTimer" + change];

    public string Refusal(CaseMigrationPlan plan) => text.English ? plan.Refusal ?? "" : plan.RefusalZh ?? "";

    private Mediation.Workflows.Definitions.WorkflowDefinition? Definition(int version) =>
        Report is null ? null : workflows.Registry.All.FirstOrDefault(d => d.Key == Report.Migration.WorkflowKey && d.Version == version);
}
