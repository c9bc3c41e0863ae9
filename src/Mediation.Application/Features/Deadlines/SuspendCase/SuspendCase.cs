using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Deadlines.SuspendCase;

/// <summary>中止计时: the level's clock stops (a party unreachable, waiting for an appraisal), with the reason.</summary>
public sealed record SuspendCase(long CaseId, int ExpectedVersion, string Reason) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class SuspendCaseValidator : IValidator<SuspendCase>
{
    public IEnumerable<FieldError> Validate(SuspendCase request) =>
        Rules.Version(request.ExpectedVersion).Concat(Rules.Required(request.Reason, "reason"));
}

internal sealed class SuspendCaseHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<SuspendCase>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, SuspendCase command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.Suspend(change.Workflow, change.Actor, command.ExpectedVersion, command.Reason, change.Now);
        return Task.CompletedTask;
    }
}
