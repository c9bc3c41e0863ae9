using System.ComponentModel.DataAnnotations;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Application.Features.Cases;

namespace Mediation.Application.Features.Escalation.ReferOut;

/// <summary>移交: the street center hands the case out of the network: to a court, the police, arbitration or a department.</summary>
public sealed record ReferOut(long CaseId, int ExpectedVersion, [property: Required] ReferralTarget? Target, string ReceivingBody, string Reason)
    : ICommand<CaseChanged>, ICaseCommand;

internal sealed class ReferOutValidator : IValidator<ReferOut>
{
    public IEnumerable<FieldError> Validate(ReferOut request) =>
        Rules.Version(request.ExpectedVersion)
            .Concat(Rules.Required(request.Target, "target"))
            .Concat(Rules.Required(request.ReceivingBody, "receivingBody", 200))
            .Concat(Rules.Required(request.Reason, "reason"));
}

internal sealed class ReferOutHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<ReferOut>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, ReferOut command, CaseChange change, CancellationToken cancellationToken)
    {
        @case.ReferOut(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, new Referral(command.Target!.Value, command.ReceivingBody, command.Reason), change.Now);
        return Task.CompletedTask;
    }
}
