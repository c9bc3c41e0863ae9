using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.WithdrawCase;

/// <summary>撤回: the applicant withdraws the dispute.</summary>
public sealed record WithdrawCase(long CaseId, int ExpectedVersion, string Reason) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class WithdrawCaseValidator : IValidator<WithdrawCase>
{
    public IEnumerable<FieldError> Validate(WithdrawCase request) =>
        Rules.Version(request.ExpectedVersion).Concat(Rules.Required(request.Reason, "reason"));
}

internal sealed class WithdrawCaseHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<WithdrawCase>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, WithdrawCase command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.Withdraw(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, command.Reason, change.Now);
        return Task.CompletedTask;
    }
}
