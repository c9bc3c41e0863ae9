using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.RecordSession;

/// <summary>调解记录: when and where the parties sat, who attended, what was said.</summary>
public sealed record RecordSession(long CaseId, int ExpectedVersion, DateTime HeldAt, string Place, string? Attendees, string Summary)
    : ICommand<CaseChanged>, ICaseCommand;

internal sealed class RecordSessionValidator : IValidator<RecordSession>
{
    public IEnumerable<FieldError> Validate(RecordSession request)
    {
        foreach (var e in Rules.Version(request.ExpectedVersion)) yield return e;
        foreach (var e in Rules.Required(request.Place, "place", 200)) yield return e;
        foreach (var e in Rules.Optional(request.Attendees, "attendees", 500)) yield return e;
        foreach (var e in Rules.Required(request.Summary, "summary", 4000)) yield return e;
        if (request.HeldAt == default)
            yield return new("heldAt", "'heldAt' is required.", "“heldAt”为必填项。");
        else
            foreach (var e in Rules.SaneDate(request.HeldAt, "heldAt")) yield return e;
    }
}

internal sealed class RecordSessionHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<RecordSession>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, RecordSession command, CaseChange change, CancellationToken cancellationToken)
    {
        var session = new SessionRecord(command.HeldAt.ToUniversalTime(), command.Place, command.Attendees ?? "", command.Summary);
        @case.RecordSession(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, session, change.Now);
        return Task.CompletedTask;
    }
}
