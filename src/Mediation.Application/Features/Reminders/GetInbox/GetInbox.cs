using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.FollowUps;
using Mediation.Workflows.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Reminders.GetInbox;

/// <summary>
/// What needs the signed-in person now, most urgent first: their follow-up visits due or overdue, their unit's cases
/// near or past the time limit, and unread reminders and supervision items addressed to them or their unit.
/// </summary>
public sealed record GetInbox(int Limit = 100) : IQuery<Inbox>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => OrgScope.CaseReaders;
}

public enum InboxItemKind
{
    FollowUpOverdue,
    CaseOverdue,
    FollowUpDue,
    CaseNearDeadline,
    Notice,
}

public sealed record InboxItem(InboxItemKind Kind, DateTime At, long? CaseId, string? CaseNumber, long? FollowUpId, string Text, string? NoticeKind);

public sealed record Inbox(IReadOnlyList<InboxItem> Items);

internal sealed class GetInboxValidator : IValidator<GetInbox>
{
    public IEnumerable<FieldError> Validate(GetInbox request)
    {
        if (request.Limit is < 1 or > 500)
            yield return new("limit", "'limit' must be between 1 and 500.");
    }
}

internal sealed class GetInboxHandler(MediationDbContext db, ActorContext actors, TimeProvider clock) : IRequestHandler<GetInbox, Inbox>
{
    private static readonly TimeSpan NearDeadline = TimeSpan.FromDays(2);
    private static readonly TimeSpan NoticesKept = TimeSpan.FromDays(30);

    public async Task<Inbox> Handle(GetInbox request, CancellationToken cancellationToken)
    {
        var actor = actors.Current;
        var now = clock.GetUtcNow().UtcDateTime;
        var endOfToday = WorkingDayCalendar.EndOfChinaDay(WorkingDayCalendar.ChinaDate(now));

        var visits = await db.FollowUps.AsNoTracking()
            .Where(f => f.OwnerId == actor.StaffId && (f.Status == FollowUpStatus.Scheduled || f.Status == FollowUpStatus.Due) && f.DueAt < endOfToday)
            .Join(db.Cases, f => f.CaseId, c => c.Id, (f, c) => new { f.Id, f.CaseId, c.CaseNumber, f.DueAt, f.Reason, c.ApplicantName })
            .OrderBy(f => f.DueAt).Take(request.Limit)
            .ToListAsync(cancellationToken);

        var nearBelow = MediationDbContext.OverdueBelow(now + NearDeadline);
        var cases = await db.Cases.AsNoTracking()
            .Where(c => c.UnitId == actor.UnitId && (c.OwnerId == null || c.OwnerId == actor.StaffId)
                && EF.Property<long>(c, MediationDbContext.SortKey) < nearBelow)
            .OrderBy(c => EF.Property<long>(c, MediationDbContext.SortKey)).Take(request.Limit)
            .Select(c => new { c.Id, c.CaseNumber, c.Summary, c.DeadlineAt })
            .ToListAsync(cancellationToken);

        var since = now - NoticesKept;
        var notices = await db.Notices.AsNoTracking()
            .Where(n => n.ReadAt == null && n.CreatedAt >= since
                && (n.RecipientStaffId == actor.StaffId
                    || (n.RecipientStaffId == null && n.RecipientUnitId == actor.UnitId && (n.RecipientRole == null || n.RecipientRole == actor.Role))))
            .OrderByDescending(n => n.CreatedAt).Take(request.Limit)
            .Join(db.Cases, n => n.CaseId, c => c.Id, (n, c) => new { n.CaseId, c.CaseNumber, n.CreatedAt, n.Message, n.Kind })
            .ToListAsync(cancellationToken);

        var items = visits.Select(v => new InboxItem(v.DueAt.AddDays(1) <= now ? InboxItemKind.FollowUpOverdue : InboxItemKind.FollowUpDue,
                v.DueAt, v.CaseId, v.CaseNumber, v.Id, $"{v.Reason}: {v.ApplicantName}", null))
            .Concat(cases.Select(c => new InboxItem(c.DeadlineAt <= now ? InboxItemKind.CaseOverdue : InboxItemKind.CaseNearDeadline,
                c.DeadlineAt!.Value, c.Id, c.CaseNumber, null, c.Summary, null)))
            .Concat(notices.Select(n => new InboxItem(InboxItemKind.Notice, n.CreatedAt, n.CaseId, n.CaseNumber, null, n.Message, n.Kind)))
            .OrderBy(i => i.Kind).ThenBy(i => i.Kind == InboxItemKind.Notice ? -i.At.Ticks : i.At.Ticks)
            .Take(request.Limit)
            .ToList();
        return new Inbox(items);
    }
}
