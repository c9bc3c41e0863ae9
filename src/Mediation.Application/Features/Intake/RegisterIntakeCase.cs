using System.ComponentModel.DataAnnotations;
using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Cases.RegisterCase;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Intake;

/// <summary>
/// 接收转办: another system registers a dispute at its account's unit, with its own reference number. The channel is the
/// account's (12345 热线, 部门转办); the rest is staff registration's, with its validation and idempotency.
/// </summary>
public sealed record RegisterIntakeCase(
    string ExternalReference,
    [property: Required] DisputeCategory? Category,
    string Summary,
    string? Description,
    decimal? AmountInDispute,
    [property: Required] RiskLevel? RiskLevel,
    RiskSignals RiskSignals,
    IReadOnlyList<PartyInput> Parties,
    string? IdempotencyKey = null) : ICommand<IntakeCaseRegistered>, IIdempotentCommand, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [IntakeActor.Role];

    internal RegisterCase AsRegistration(IntakeChannel channel) =>
        new(channel, Category, Summary, Description, AmountInDispute, RiskLevel, RiskSignals, Parties, IdempotencyKey);
}

public sealed record IntakeCaseRegistered(long CaseId, string CaseNumber, string ExternalReference, string State, string Level, long UnitId, int Version);

internal sealed class RegisterIntakeCaseValidator : IValidator<RegisterIntakeCase>
{
    private static readonly RegisterCaseValidator Registration = new();

    public IEnumerable<FieldError> Validate(RegisterIntakeCase request) =>
        Rules.Required(request.ExternalReference, "externalReference", 100)
            .Concat(Registration.Validate(request.AsRegistration(IntakeChannel.Hotline12345)));
}

internal sealed class RegisterIntakeCaseHandler(MediationDbContext db, ActorContext actors, IRequestHandler<RegisterCase, CaseChanged> registration)
    : IRequestHandler<RegisterIntakeCase, IntakeCaseRegistered>
{
    public async Task<IntakeCaseRegistered> Handle(RegisterIntakeCase request, CancellationToken cancellationToken)
    {
        var accountId = IntakeActor.AccountOf(actors.Current) ?? throw new AccessDeniedException("Only a system account registers through intake.");
        var account = await db.SystemAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId, cancellationToken)
                      ?? throw new AccessDeniedException("The system account is gone.");
        var reference = request.ExternalReference.Trim();
        if (await db.CaseExternalRefs.AnyAsync(r => r.SystemAccountId == accountId && r.ExternalReference == reference, cancellationToken))
            throw new RequestValidationException([new FieldError("externalReference",
                $"A case with the reference '{UserText.Shown(reference)}' is already registered by this account.",
                $"外部编号“{UserText.Shown(reference)}”的案件已由本系统登记。")]);

        // The registration handler itself, not a second trip through the pipeline: one transaction, one idempotency record.
        var changed = await registration.Handle(request.AsRegistration(account.Channel), cancellationToken);
        db.CaseExternalRefs.Add(new CaseExternalRef(changed.CaseId, accountId, reference));
        return new IntakeCaseRegistered(changed.CaseId, changed.CaseNumber, reference, changed.State, changed.Level, changed.UnitId, changed.Version);
    }
}

/// <summary>What the other system may know of a case it registered: where it is and in what state, nothing about the parties.</summary>
public sealed record GetIntakeCaseStatus(string ExternalReference) : IQuery<IntakeCaseStatus>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [IntakeActor.Role];
}

public sealed record IntakeCaseStatus(string ExternalReference, string CaseNumber, string State, string Level, string UnitName, DateTime UpdatedAt);

internal sealed class GetIntakeCaseStatusHandler(MediationDbContext db, ActorContext actors) : IRequestHandler<GetIntakeCaseStatus, IntakeCaseStatus>
{
    public async Task<IntakeCaseStatus> Handle(GetIntakeCaseStatus request, CancellationToken cancellationToken)
    {
        var accountId = IntakeActor.AccountOf(actors.Current) ?? throw new AccessDeniedException("Only a system account reads intake status.");
        var reference = (request.ExternalReference ?? "").Trim();
        // Another account's reference, or none: the same 404, so references of other systems cannot be probed.
        return await (from r in db.CaseExternalRefs.AsNoTracking()
                      join c in db.Cases.AsNoTracking() on r.CaseId equals c.Id
                      join u in db.OrgUnits.AsNoTracking() on c.UnitId equals u.Id
                      where r.SystemAccountId == accountId && r.ExternalReference == reference
                      select new IntakeCaseStatus(r.ExternalReference, c.CaseNumber, c.State, c.Level, u.Name, c.UpdatedAt)).FirstOrDefaultAsync(cancellationToken)
               ?? throw new NotFoundException($"Case with reference {UserText.Shown(reference)}");
    }
}
