using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Workflows.Definitions;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages;

/// <summary>管理员: accounts and the org tree, through the same commands as the API.</summary>
[Authorize(Roles = "administrator")]
public sealed class AdminModel(IMediator mediator, WorkflowCatalog workflows) : PageModel
{
    public IReadOnlyList<StaffView> Staff { get; private set; } = [];
    public IReadOnlyList<UnitView> Units { get; private set; } = [];
    public IReadOnlyList<RoleDefinition> Roles => workflows.Current.Roles;
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostCreateStaffAsync(CreateStaff command, CancellationToken cancellationToken) => RunAsync(command, cancellationToken);

    public Task<IActionResult> OnPostResetPasswordAsync(ResetPassword command, CancellationToken cancellationToken) => RunAsync(command, cancellationToken);

    public Task<IActionResult> OnPostDeactivateAsync(long staffId, CancellationToken cancellationToken) => RunAsync(new DeactivateStaff(staffId), cancellationToken);

    public Task<IActionResult> OnPostReactivateAsync(long staffId, CancellationToken cancellationToken) => RunAsync(new ReactivateStaff(staffId), cancellationToken);

    public Task<IActionResult> OnPostAddUnitAsync(AddUnit command, CancellationToken cancellationToken) => RunAsync(command, cancellationToken);

    private async Task<IActionResult> RunAsync<T>(IRequest<T> command, CancellationToken cancellationToken)
    {
        try
        {
            await mediator.Send(command, cancellationToken);
            Message = "已保存 / Saved";
        }
        catch (Exception ex) when (ex is RequestValidationException or NotFoundException or DomainRuleException)
        {
            Error = ex.Message;
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Staff = await mediator.Send(new ListStaff(), cancellationToken);
        Units = await mediator.Send(new ListUnits(), cancellationToken);
    }
}
