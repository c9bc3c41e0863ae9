using Mediation.Application.Features.Administration;
using Mediation.Application.Features.Intake;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Web.Ui;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages.Admin;

/// <summary>管理员: system accounts of other systems (12345 热线, 部门转办) and their API keys, through the same commands as the API.</summary>
[Authorize(Roles = "administrator")]
public sealed class IntakeModel(IMediator mediator, ActorContext actors, UiText text) : PageModel
{
    public IReadOnlyList<SystemAccountView> Accounts { get; private set; } = [];
    public IReadOnlyList<UnitView> Units { get; private set; } = [];
    public IssuedApiKey? Issued { get; private set; }
    public string? Message { get; private set; }
    public IReadOnlyList<FieldError> Errors { get; private set; } = [];

    public static readonly IReadOnlyList<IntakeChannel> Channels = [IntakeChannel.Hotline12345, IntakeChannel.DepartmentReferral, IntakeChannel.Online];

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostCreateAsync(string? name, long unitId, IntakeChannel? channel, CancellationToken cancellationToken) =>
        RunAsync(async () => { await mediator.Send(new CreateSystemAccount(name ?? "", unitId, channel), cancellationToken); Message = text["intake.accountCreated"]; }, cancellationToken);

    public Task<IActionResult> OnPostIssueAsync(long accountId, CancellationToken cancellationToken) =>
        RunAsync(async () =>
        {
            // Issuing is never replayed from the idempotency table, which would keep the secret.
            actors.IdempotencyKey = null;
            Issued = await mediator.Send(new IssueApiKey(accountId), cancellationToken);
        }, cancellationToken);

    public Task<IActionResult> OnPostRevokeAsync(long keyId, CancellationToken cancellationToken) =>
        RunAsync(async () => { await mediator.Send(new RevokeApiKey(keyId), cancellationToken); Message = text["intake.keyRevoked"]; }, cancellationToken);

    private async Task<IActionResult> RunAsync(Func<Task> change, CancellationToken cancellationToken)
    {
        try
        {
            await change();
        }
        catch (RequestValidationException invalid)
        {
            Errors = invalid.Errors;
        }
        catch (NotFoundException)
        {
            Errors = [new FieldError("", "Not found.", "未找到。")];
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Accounts = await mediator.Send(new ListSystemAccounts(), cancellationToken);
        Units = await mediator.Send(new ListUnits(), cancellationToken);
    }

    public string Said(FieldError e) => text.English || e.Chinese is null ? e.Message : e.Chinese;
}
