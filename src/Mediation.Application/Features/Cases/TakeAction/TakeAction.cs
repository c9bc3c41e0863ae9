using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.TakeAction;

/// <summary>
/// Fires an action that a definition adds and that needs no input of its own, so that a new state
/// (e.g. waiting for an appraisal) works from a JSON edit alone.
/// </summary>
public sealed record TakeAction(long CaseId, int ExpectedVersion, string Action, string? Note) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class TakeActionValidator : IValidator<TakeAction>
{
    public IEnumerable<FieldError> Validate(TakeAction request) =>
        Rules.Version(request.ExpectedVersion)
            .Concat(Rules.Required(request.Action, "action", 40))
            .Concat(Rules.Optional(request.Note, "note"));
}

internal sealed class TakeActionHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<TakeAction>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, TakeAction command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.TakeAction(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, command.Action, command.Note, change.Now);
        return Task.CompletedTask;
    }
}
