using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.CloseCase;

/// <summary>结案 / 办结反馈: the applicant is told the result (how, and what) and the case is closed.</summary>
public sealed record CloseCase(long CaseId, int ExpectedVersion, string FeedbackMethod, string FeedbackSummary)
    : ICommand<CaseChanged>, ICaseCommand;

internal sealed class CloseCaseValidator : IValidator<CloseCase>
{
    public IEnumerable<FieldError> Validate(CloseCase request) =>
        Rules.Version(request.ExpectedVersion)
            .Concat(Rules.Required(request.FeedbackMethod, "feedbackMethod", 100))
            .Concat(Rules.Required(request.FeedbackSummary, "feedbackSummary"));
}

internal sealed class CloseCaseHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<CloseCase>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, CloseCase command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.Close(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, new ClosingFeedback(command.FeedbackMethod, command.FeedbackSummary), change.Now);
        return Task.CompletedTask;
    }
}
