using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.DeclineCase;

/// <summary>不予受理: the unit declines the dispute, with the reason (e.g. already before a court).</summary>
public sealed record DeclineCase(long CaseId, int ExpectedVersion, string Reason) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class DeclineCaseValidator : IValidator<DeclineCase>
{
    public IEnumerable<FieldError> Validate(DeclineCase request) =>
        Rules.Version(request.ExpectedVersion).Concat(Rules.Required(request.Reason, "reason"));
}

internal sealed class DeclineCaseHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<DeclineCase>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, DeclineCase command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.Decline(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, command.Reason, change.Now);
        return Task.CompletedTask;
    }
}
