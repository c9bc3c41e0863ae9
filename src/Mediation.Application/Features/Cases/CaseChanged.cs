using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Org;
using MediatR;

namespace Mediation.Application.Features.Cases;

/// <summary>What every case command answers: where the case now stands and the version to send next.</summary>
public sealed record CaseChanged(long CaseId, string CaseNumber, string State, string Level, long UnitId, string? Outcome, DateTime? DeadlineAt, int Version)
{
    public static CaseChanged From(DisputeCase c) => new(c.Id, c.CaseNumber, c.State, c.Level, c.UnitId, c.Outcome, c.DeadlineAt, c.Version);
}

/// <summary>What a case command's handler works with: the case's pinned definition, the calendar, who acts, and now.</summary>
public sealed record CaseChange(Mediation.Workflows.Definitions.WorkflowDefinition Workflow, Mediation.Workflows.Time.WorkingDayCalendar Calendar, Actor Actor, DateTime Now);

/// <summary>
/// The shape every case command shares: load the case (already loaded and scope-checked by the pipeline),
/// call one method of the aggregate, save. Each use case supplies only that one call.
/// </summary>
internal abstract class CaseCommandHandler<TCommand>(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : IRequestHandler<TCommand, CaseChanged>
    where TCommand : ICaseCommand, ICommand<CaseChanged>
{
    public async Task<CaseChanged> Handle(TCommand command, CancellationToken cancellationToken)
    {
        var @case = await cases.FindAsync(command.CaseId, cancellationToken) ?? throw new NotFoundException($"Case {command.CaseId}");
        var change = new CaseChange(workflows.For(@case), workflows.Calendar, actors.Current, clock.GetUtcNow().UtcDateTime);
        await Apply(@case, command, change, cancellationToken);
        await cases.SaveAsync(@case, cancellationToken);
        return CaseChanged.From(@case);
    }

    protected abstract Task Apply(DisputeCase @case, TCommand command, CaseChange change, CancellationToken cancellationToken);
}
