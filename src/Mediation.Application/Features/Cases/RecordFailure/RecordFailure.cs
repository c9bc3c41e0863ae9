using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.RecordFailure;

/// <summary>调解不成: mediation at this level failed; the case may then be escalated or referred out.</summary>
public sealed record RecordFailure(long CaseId, int ExpectedVersion, string Reason) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class RecordFailureValidator : IValidator<RecordFailure>
{
    public IEnumerable<FieldError> Validate(RecordFailure request) =>
        Rules.Version(request.ExpectedVersion).Concat(Rules.Required(request.Reason, "reason"));
}

internal sealed class RecordFailureHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<RecordFailure>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, RecordFailure command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.RecordFailure(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, command.Reason, change.Now);
        return Task.CompletedTask;
    }
}
