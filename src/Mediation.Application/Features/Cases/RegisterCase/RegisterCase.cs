using System.ComponentModel.DataAnnotations;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;

namespace Mediation.Application.Features.Cases.RegisterCase;

/// <summary>
/// 登记纠纷: a mediator or grid worker registers a dispute at their unit. Channel, category and risk level are nullable
/// only so that a missing one is refused by name instead of silently counting as the first value in the statistics.
/// </summary>
public sealed record RegisterCase(
    [property: Required] IntakeChannel? Channel,
    [property: Required] DisputeCategory? Category,
    string Summary,
    string? Description,
    decimal? AmountInDispute,
    [property: Required] RiskLevel? RiskLevel,
    RiskSignals RiskSignals,
    IReadOnlyList<PartyInput> Parties,
    string? IdempotencyKey = null) : ICommand<CaseChanged>, IIdempotentCommand, IRoleRestricted
{
    // Which roles may register is the workflow definition's to say; the aggregate checks it.
    public IReadOnlyList<string> AllowedRoles => [];
}

public sealed record PartyInput([property: Required] PartyRole? Role, string Name, string? Phone, string? IdNumber, string? Address);
