using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Org;

namespace Mediation.Application.Features.Escalation.EscalateCase;

/// <summary>上报: the case is handed to the parent unit one level up, which must accept it anew.</summary>
public sealed record EscalateCase(long CaseId, int ExpectedVersion, string Reason) : ICommand<CaseChanged>, ICaseCommand;

internal sealed class EscalateCaseValidator : IValidator<EscalateCase>
{
    public IEnumerable<FieldError> Validate(EscalateCase request) =>
        Rules.Version(request.ExpectedVersion).Concat(Rules.Required(request.Reason, "reason"));
}

internal sealed class EscalateCaseHandler(MediationDbContext db, OrgTree tree, CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<EscalateCase>(cases, workflows, actors, clock)
{
    protected override async Task Apply(DisputeCase @case, EscalateCase command, CaseChange change, CancellationToken cancellationToken)
    {
        var unit = await tree.FindAsync(db, @case.UnitId, cancellationToken);
        var parent = unit?.ParentId is { } parentId ? await tree.FindAsync(db, parentId, cancellationToken) : null;
        if (parent is null)
            throw new CaseInputException("unit", $"Case {@case.CaseNumber} is held by the top of the network; refer it out instead.", "本案已在最高一级（街道矛调中心），不能再上报，请改为移交处理。");
        @case.Escalate(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, command.Reason, parent, change.Now);
    }
}
