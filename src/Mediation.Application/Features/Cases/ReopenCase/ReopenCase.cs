using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.FollowUps;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Cases.ReopenCase;

/// <summary>重新调解: a closed matter is taken up again (an unsatisfied follow-up, an unperformed agreement).</summary>
public sealed record ReopenCase(long CaseId, int ExpectedVersion, string Reason) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class ReopenCaseValidator : IValidator<ReopenCase>
{
    public IEnumerable<FieldError> Validate(ReopenCase request) =>
        Rules.Version(request.ExpectedVersion).Concat(Rules.Required(request.Reason, "reason"));
}

internal sealed class ReopenCaseHandler(MediationDbContext db, CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<ReopenCase>(cases, workflows, actors, clock)
{
    protected override async Task Apply(DisputeCase @case, ReopenCase command, CaseChange change, CancellationToken cancellationToken)
    {
        // The case store writes the cancellations, so the visits are read untracked.
        var planned = await db.FollowUps.AsNoTracking()
            .Where(f => f.CaseId == command.CaseId && (f.Status == FollowUpStatus.Scheduled || f.Status == FollowUpStatus.Due))
            .ToListAsync(cancellationToken);
        @case.Reopen(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, command.Reason, planned, change.Now);
    }
}
