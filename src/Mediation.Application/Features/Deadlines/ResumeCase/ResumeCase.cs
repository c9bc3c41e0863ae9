using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Deadlines.ResumeCase;

/// <summary>恢复计时: the clock runs again and the deadline moves on by the time spent suspended.</summary>
public sealed record ResumeCase(long CaseId, int ExpectedVersion) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class ResumeCaseValidator : IValidator<ResumeCase>
{
    public IEnumerable<FieldError> Validate(ResumeCase request) => Rules.Version(request.ExpectedVersion);
}

internal sealed class ResumeCaseHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<ResumeCase>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, ResumeCase command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.Resume(change.Workflow, change.Actor, command.ExpectedVersion, change.Now);
        return Task.CompletedTask;
    }
}
