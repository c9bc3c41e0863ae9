using Mediation.Application.Features.Deadlines.FireTimer;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Deadlines;
using Mediation.Domain.Org;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Deadlines.FailedTimers;

public sealed record FailedTimerView(long TimerId, long CaseId, string CaseNumber, TimerKind Kind, DateTime DueAt, int Attempts, string? LastError, DateTime? FailedAt);

/// <summary>The timers that gave up after their last attempt, oldest first: what an administrator must retry or cancel.</summary>
public sealed record ListFailedTimers : IQuery<IReadOnlyList<FailedTimerView>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>Sends a Failed timer round again now, with a fresh set of attempts; recorded as a timer event.</summary>
public sealed record RetryTimer(long TimerId) : ICommand<TimerOutcome>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>Gives up a Failed timer for good; recorded as a timer event.</summary>
public sealed record CancelTimer(long TimerId) : ICommand<TimerOutcome>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

internal sealed class FailedTimersHandlers(MediationDbContext db, Org.OrgTree tree, ActorContext actors, TimeProvider clock) :
    IRequestHandler<ListFailedTimers, IReadOnlyList<FailedTimerView>>,
    IRequestHandler<RetryTimer, TimerOutcome>,
    IRequestHandler<CancelTimer, TimerOutcome>
{
    public async Task<IReadOnlyList<FailedTimerView>> Handle(ListFailedTimers request, CancellationToken cancellationToken)
    {
        // A street administrator sees their street's timers; a county administrator every street's.
        var administered = await Org.AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        return await (from t in db.CaseTimers.AsNoTracking()
                      where t.Status == TimerStatus.Failed
                      join c in db.Cases.AsNoTracking() on t.CaseId equals c.Id
                      where c.UnitPath.StartsWith(administered)
                      orderby t.ResolvedAt, t.Id
                      select new FailedTimerView(t.Id, t.CaseId, c.CaseNumber, t.Kind, t.DueAt, t.Attempts, t.LastError, t.ResolvedAt))
            .Take(500)
            .ToListAsync(cancellationToken);
    }

    public Task<TimerOutcome> Handle(RetryTimer request, CancellationToken cancellationToken) =>
        ChangeAsync(request.TimerId, TimerEvent.Actions.Retry, (timer, now) => timer.Retry(now), cancellationToken);

    public Task<TimerOutcome> Handle(CancelTimer request, CancellationToken cancellationToken) =>
        ChangeAsync(request.TimerId, TimerEvent.Actions.Cancel, (timer, now) => timer.Cancel(now), cancellationToken);

    private async Task<TimerOutcome> ChangeAsync(long timerId, string action, Action<CaseTimer, DateTime> change, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var administered = await Org.AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        var timer = await db.CaseTimers.FirstOrDefaultAsync(t => t.Id == timerId && db.Cases.Any(c => c.Id == t.CaseId && c.UnitPath.StartsWith(administered)), cancellationToken)
            ?? throw new NotFoundException($"Timer {timerId}");
        // The event keeps the attempts and error as they stood before the change.
        db.TimerEvents.Add(new TimerEvent(timer, action, actors.Current, now));
        change(timer, now);
        await db.SaveChangesAsync(cancellationToken);
        return new(timer.Id, timer.Status, action == TimerEvent.Actions.Retry ? "sent round again" : timer.Note ?? "");
    }
}
