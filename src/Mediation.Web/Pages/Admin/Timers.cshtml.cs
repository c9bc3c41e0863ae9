using Mediation.Application.Features.Deadlines.FailedTimers;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Web.Ui;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mediation.Web.Pages.Admin;

/// <summary>管理员: the timers that failed every attempt, to retry or cancel, through the same commands as the API.</summary>
[Authorize(Roles = "administrator")]
public sealed class TimersModel(IMediator mediator, UiText text) : PageModel
{
    public IReadOnlyList<FailedTimerView> Failed { get; private set; } = [];
    public string? Message { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Failed = await mediator.Send(new ListFailedTimers(), cancellationToken);

    public Task<IActionResult> OnPostRetryAsync(long timerId, CancellationToken cancellationToken) => RunAsync(new RetryTimer(timerId), cancellationToken);

    public Task<IActionResult> OnPostCancelAsync(long timerId, CancellationToken cancellationToken) => RunAsync(new CancelTimer(timerId), cancellationToken);

    private async Task<IActionResult> RunAsync(IRequest<Application.Features.Deadlines.FireTimer.TimerOutcome> command, CancellationToken cancellationToken)
    {
        try
        {
            await mediator.Send(command, cancellationToken);
            Message = text["timerDone"];
        }
        catch (Exception ex) when (ex is NotFoundException or DomainRuleException)
        {
            Error = ex.Message;
        }
        Failed = await mediator.Send(new ListFailedTimers(), cancellationToken);
        return Page();
    }
}
