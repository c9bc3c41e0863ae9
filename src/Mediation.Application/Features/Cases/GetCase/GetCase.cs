using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Cases.GetCase;

/// <summary>A case with its facts, parties, sessions, agreement, timeline and the actions the viewer may take now.</summary>
public sealed record GetCase(long CaseId) : IQuery<CaseDetails>, ICaseRequest;

public sealed record CaseDetails(
    long Id,
    string CaseNumber,
    string WorkflowKey,
    int WorkflowVersion,
    string State,
    string Level,
    long UnitId,
    string UnitName,
    string? Outcome,
    IntakeChannel Channel,
    DisputeCategory Category,
    string Summary,
    string? Description,
    decimal? AmountInDispute,
    RiskLevel RiskLevel,
    RiskSignals RiskSignals,
    bool IsMajor,
    DateTime RegisteredAt,
    DateTime? DeadlineAt,
    bool IsOverdue,
    DateTime? ClosedAt,
    int Version,
    long FirstResponsibleId,
    long? OwnerId,
    bool PersonalDataVisible,
    IReadOnlyList<PartyView> Parties,
    IReadOnlyList<SessionView> Sessions,
    AgreementView? Agreement,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<string> AllowedActions,
    IReadOnlyList<FollowUpView> FollowUps,
    bool Suspended,
    bool MayAct,
    IReadOnlyList<AgreementView> Agreements,
    ExternalReferenceView? External = null);

/// <summary>The other system that registered the case (12345 热线) and its own number for it.</summary>
public sealed record ExternalReferenceView(string System, string Reference);

public sealed record FollowUpView(long Id, DateOnly DueOn, string Reason, Mediation.Domain.FollowUps.FollowUpStatus Status, bool Overdue,
    string? Method, Mediation.Domain.FollowUps.Satisfaction? Satisfaction, Mediation.Domain.FollowUps.Performance? Performance, string? Notes,
    string? CancelReason = null);

public sealed record PartyView(PartyRole Role, string Name, string? Phone, string? IdNumber, string? Address);

public sealed record SessionView(DateTime HeldAt, string Place, string Attendees, string Summary, long MediatorId);

public sealed record AgreementView(string Terms, bool AcceptedByParties, IReadOnlyList<DateOnly> DueDates, DateTime SignedAt, DateTime? SupersededAt = null)
{
    public bool Superseded => SupersededAt is not null;

    public static AgreementView Of(Agreement a) => new(a.Terms, a.AcceptedByParties, a.DueDates, a.SignedAt, a.SupersededAt);
}

public sealed record TimelineEntry(int Sequence, DateTime OccurredAt, string Action, string? FromState, string ToState, string? FromLevel, string Level, long? FromUnitId, long UnitId, long ActorId, string ActorName, string ActorRole, string Payload);

internal sealed class GetCaseHandler(MediationDbContext db, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock)
    : IRequestHandler<GetCase, CaseDetails>
{
    public async Task<CaseDetails> Handle(GetCase request, CancellationToken cancellationToken)
    {
        var c = await db.Cases.AsNoTracking()
            .Include(x => x.Parties)
            .Include(x => x.Sessions)
            .Include(x => x.Agreements)
            .AsSplitQuery()
            .FirstOrDefaultAsync(x => x.Id == request.CaseId, cancellationToken)
            ?? throw new NotFoundException($"Case {request.CaseId}");
        var unitName = await db.OrgUnits.Where(u => u.Id == c.UnitId).Select(u => u.Name).FirstAsync(cancellationToken);
        var timeline = await db.CaseEvents.AsNoTracking()
            .Where(e => e.CaseId == c.Id)
            .OrderBy(e => e.Sequence)
            .Select(e => new TimelineEntry(e.Sequence, e.OccurredAt, e.Action, e.FromState, e.ToState, e.FromLevel, e.Level, e.FromUnitId, e.UnitId, e.ActorId, e.ActorName, e.ActorRole, e.Payload))
            .ToListAsync(cancellationToken);

        var now = clock.GetUtcNow().UtcDateTime;
        var visits = await db.FollowUps.AsNoTracking().Where(f => f.CaseId == c.Id).OrderBy(f => f.DueAt).ToListAsync(cancellationToken);
        var actor = actors.Current;
        var holds = actor.MayActOn(c.UnitId);

        // Only the unit that holds the case, and the person who first received it, see phones and ID numbers in full.
        var seesPersonalData = holds || actor.StaffId == c.FirstResponsibleId;
        var parties = c.Parties.Select(p => new PartyView(
            p.Role,
            p.Name,
            seesPersonalData ? p.Phone : PersonalData.MaskPhone(p.Phone),
            seesPersonalData ? p.IdNumber : PersonalData.MaskIdNumber(p.IdNumber),
            seesPersonalData ? p.Address : null)).ToList();

        var allowed = holds ? c.AllowedActions(workflows.For(c), actor.Role) : [];
        return new CaseDetails(
            c.Id, c.CaseNumber, c.WorkflowKey, c.WorkflowVersion, c.State, c.Level, c.UnitId, unitName, c.Outcome,
            c.Channel, c.Category, c.Summary, c.Description, c.AmountInDispute, c.RiskLevel, c.RiskSignals, c.IsMajor,
            c.RegisteredAt, c.DeadlineAt, c.IsOverdue(clock.GetUtcNow().UtcDateTime), c.ClosedAt, c.Version,
            c.FirstResponsibleId, c.OwnerId, seesPersonalData, parties,
            c.Sessions.OrderBy(s => s.HeldAt).Select(s => new SessionView(s.HeldAt, s.Place, s.Attendees, s.Summary, s.MediatorId)).ToList(),
            c.Agreement is { } a ? AgreementView.Of(a) : null,
            timeline,
            allowed,
            visits.Select(f => new FollowUpView(f.Id, f.DueOn, f.Reason, f.Status, f.IsOverdue(now), f.Method, f.Satisfaction, f.Performance, f.Notes, f.CancelReason)).ToList(),
            c.IsSuspended,
            holds,
            c.Agreements.OrderBy(x => x.SignedAt).ThenBy(x => x.Id).Select(AgreementView.Of).ToList(),
            await (from r in db.CaseExternalRefs.AsNoTracking()
                   join s in db.SystemAccounts.AsNoTracking() on r.SystemAccountId equals s.Id
                   where r.CaseId == c.Id
                   select new ExternalReferenceView(s.Name, r.ExternalReference)).FirstOrDefaultAsync(cancellationToken));
    }
}
