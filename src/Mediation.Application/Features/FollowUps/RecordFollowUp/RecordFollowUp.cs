using System.ComponentModel.DataAnnotations;
using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.FollowUps;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.FollowUps.RecordFollowUp;

/// <summary>记录回访: how the applicant was reached, their satisfaction and whether the agreement is performed.</summary>
public sealed record RecordFollowUp(
    long CaseId,
    int ExpectedVersion,
    long FollowUpId,
    string Method,
    [property: Required] Satisfaction? Satisfaction,
    [property: Required] Performance? Performance,
    string? Notes) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class RecordFollowUpValidator : IValidator<RecordFollowUp>
{
    public IEnumerable<FieldError> Validate(RecordFollowUp request) =>
        Rules.Version(request.ExpectedVersion)
            .Concat(Rules.Required(request.Method, "method", 40))
            .Concat(Rules.Required(request.Satisfaction, "satisfaction"))
            .Concat(Rules.Required(request.Performance, "performance"))
            .Concat(Rules.Optional(request.Notes, "notes"));
}

internal sealed class RecordFollowUpHandler(MediationDbContext db, CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<RecordFollowUp>(cases, workflows, actors, clock)
{
    protected override async Task Apply(DisputeCase @case, RecordFollowUp command, CaseChange change, CancellationToken cancellationToken)
    {
        var visits = await db.FollowUps.Where(f => f.CaseId == command.CaseId).ToListAsync(cancellationToken);
        var visit = visits.FirstOrDefault(f => f.Id == command.FollowUpId)
            ?? throw new NotFoundException($"Follow-up visit {command.FollowUpId}");
        @case.RecordFollowUp(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, visit, visits,
            command.Method, command.Satisfaction!.Value, command.Performance!.Value, command.Notes, change.Now);
    }
}
