using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.ResolveCase;

/// <summary>调解成功: the parties accept an agreement (调解协议书) with its due dates for performance.</summary>
public sealed record ResolveCase(long CaseId, int ExpectedVersion, string Terms, bool AcceptedByParties, IReadOnlyList<DateOnly>? DueDates)
    : ICommand<CaseChanged>, ICaseCommand;

internal sealed class ResolveCaseValidator : IValidator<ResolveCase>
{
    public IEnumerable<FieldError> Validate(ResolveCase request)
    {
        foreach (var e in Rules.Version(request.ExpectedVersion)) yield return e;
        foreach (var e in Rules.Required(request.Terms, "terms", 4000)) yield return e;
        if (!request.AcceptedByParties)
            yield return new("acceptedByParties", "The parties must accept the agreement for the dispute to be settled.", "调解协议须经双方当事人确认，纠纷方可调解成功。");
        if (request.DueDates is { Count: > 24 })
            yield return new("dueDates", "At most 24 due dates.", "履行期限最多 24 个。");
        for (var i = 0; i < Math.Min(request.DueDates?.Count ?? 0, 24); i++)
            foreach (var e in Rules.SaneDate(request.DueDates![i], $"dueDates[{i}]")) yield return e;
    }
}

internal sealed class ResolveCaseHandler(CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : CaseCommandHandler<ResolveCase>(cases, workflows, actors, clock)
{
    protected override Task Apply(DisputeCase @case, ResolveCase command, CaseChange change, CancellationToken cancellationToken)
    {
        var terms = new AgreementTerms(command.Terms, command.AcceptedByParties, command.DueDates ?? []);
        @case.Resolve(change.Workflow, change.Calendar, change.Actor, command.ExpectedVersion, terms, change.Now);
        return Task.CompletedTask;
    }
}
