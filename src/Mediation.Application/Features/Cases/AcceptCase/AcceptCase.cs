using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.AcceptCase;

/// <summary>受理: the holding unit takes the dispute on; the accepting mediator becomes its owner at this level.</summary>
public sealed record AcceptCase(long CaseId, int ExpectedVersion) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class AcceptCaseValidator : IValidator<AcceptCase>
{
    public IEnumerable<FieldError> Validate(AcceptCase request) => Rules.Version(request.ExpectedVersion);
}

internal sealed class AcceptCaseHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<AcceptCase>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, AcceptCase command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.Accept(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, change.Now);
        return Task.CompletedTask;
    }
}
