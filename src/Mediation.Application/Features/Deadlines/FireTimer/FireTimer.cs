using Mediation.Application.Features.Org;
using Mediation.Application.Features.Workflow;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Deadlines;
using Mediation.Domain.Org;
using Mediation.Domain.Supervision;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Mediation.Application.Features.Deadlines.FireTimer;

/// <summary>
/// A due timer fires: its effect is applied if the condition that set it still holds, else it is skipped with the
/// reason. Sent by the dispatcher as the system; harmless to send twice or from two nodes.
/// </summary>
public sealed record FireTimer(long TimerId) : ICommand<TimerOutcome>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.System];
}

public sealed record TimerOutcome(long TimerId, TimerStatus Status, string Note)
{
    public const string ElsewhereNote = "claimed by another node";

    /// <summary>Left untouched because another node's batch holds it (or its case); that node fires it.</summary>
    public bool ClaimedElsewhere => Note == ElsewhereNote;
}

/// <summary>
/// Fires several due timers in one transaction, each inside its own savepoint: a burst costs one commit, and a timer
/// that fails is rolled back alone, its attempt counted, and tried again after a backoff (then Failed). The batch first
/// claims its timers: those another node's batch holds are left to it and answered as <see cref="TimerOutcome.ClaimedElsewhere"/>.
/// </summary>
public sealed record FireDueTimers(IReadOnlyList<long> TimerIds) : ICommand<IReadOnlyList<TimerOutcome>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.System];
}

/// <summary>Counts a failed attempt the batch could not record itself (its transaction failed as a whole).</summary>
public sealed record RecordTimerFailure(long TimerId, string Error) : ICommand<TimerOutcome>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.System];
}

internal sealed class FireTimerHandler(TimerFiring firing) : IRequestHandler<FireTimer, TimerOutcome>
{
    public Task<TimerOutcome> Handle(FireTimer request, CancellationToken cancellationToken) => firing.FireAsync(request.TimerId, cancellationToken);
}

internal sealed class FireDueTimersHandler(TimerFiring firing, TimerAttempts attempts, MediationDbContext db, CaseStore cases, IStoreDialect dialect)
    : IRequestHandler<FireDueTimers, IReadOnlyList<TimerOutcome>>
{
    public async Task<IReadOnlyList<TimerOutcome>> Handle(FireDueTimers request, CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Timers fire inside the command's transaction.");
        // Claimed before the first savepoint, so a timer rolled back alone stays this batch's until it commits.
        var claimed = await dialect.ClaimDueTimersAsync(db, request.TimerIds, cancellationToken);
        var outcomes = new List<TimerOutcome>(request.TimerIds.Count);
        foreach (var id in request.TimerIds.Except(claimed))
            outcomes.Add(new(id, TimerStatus.Pending, TimerOutcome.ElsewhereNote));
        cases.DeferTallies();
        try
        {
            foreach (var id in claimed)
            {
                await transaction.CreateSavepointAsync("timer", cancellationToken);
                cases.MarkSavepoint();
                try
                {
                    outcomes.Add(await firing.FireAsync(id, cancellationToken));
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.ReleaseSavepointAsync("timer", cancellationToken);
                }
                catch (Exception ex) when (TimerAttempts.CannotFire(ex))
                {
                    await transaction.RollbackToSavepointAsync("timer", cancellationToken);
                    db.ChangeTracker.Clear();
                    cases.Forget();
                    outcomes.Add(await attempts.RecordFailureAsync(id, ex, cancellationToken));
                }
            }
            await cases.FlushTalliesAsync(cancellationToken);
        }
        finally
        {
            cases.StopDeferringTallies();
        }
        return outcomes;
    }
}

internal sealed class RecordTimerFailureHandler(TimerAttempts attempts) : IRequestHandler<RecordTimerFailure, TimerOutcome>
{
    public Task<TimerOutcome> Handle(RecordTimerFailure request, CancellationToken cancellationToken) =>
        attempts.RecordFailureAsync(request.TimerId, request.Error, null, cancellationToken);
}

/// <summary>Counts a timer's failed attempt and sets its next one (or Failed), logging one line per attempt.</summary>
internal sealed class TimerAttempts(MediationDbContext db, TimeProvider clock, ILogger<TimerAttempts> logger)
{
    // What a timer that cannot fire really throws: a rule refused, its pinned definition version not loaded
    // (KeyNotFound), a row gone (NotFound, First on nothing), a stored value that no longer parses, a write refused.
    public static bool CannotFire(Exception ex) =>
        ex is DomainRuleException or NotFoundException or KeyNotFoundException or InvalidOperationException or ArgumentException
            or FormatException or OverflowException or System.Text.Json.JsonException or DbUpdateException or System.Data.Common.DbException;

    public Task<TimerOutcome> RecordFailureAsync(long timerId, Exception error, CancellationToken cancellationToken) =>
        RecordFailureAsync(timerId, TimerRetry.Describe(error), error, cancellationToken);

    public async Task<TimerOutcome> RecordFailureAsync(long timerId, string error, Exception? exception, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        error = error.Length > TimerRetry.ErrorLength ? error[..TimerRetry.ErrorLength] : error;
        // A projection and a set-based update: the timer's own row may hold the value that cannot be read.
        var attemptsSoFar = await db.CaseTimers.Where(t => t.Id == timerId && t.Status == TimerStatus.Pending).Select(t => (int?)t.Attempts).FirstOrDefaultAsync(cancellationToken);
        if (attemptsSoFar is not { } soFar)
            return new(timerId, TimerStatus.Applied, "fired elsewhere");
        var (attempts, status, next) = TimerRetry.AfterFailure(soFar, now);
        var note = status == TimerStatus.Failed ? $"failed after {attempts} attempts" : null;
        DateTime? resolvedAt = status == TimerStatus.Failed ? now : null;
        await db.CaseTimers.Where(t => t.Id == timerId && t.Status == TimerStatus.Pending && t.Attempts == soFar)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.Attempts, attempts).SetProperty(t => t.LastError, error).SetProperty(t => t.Status, status)
                .SetProperty(t => t.NextAttemptAt, next).SetProperty(t => t.ResolvedAt, resolvedAt).SetProperty(t => t.Note, note), cancellationToken);
        if (status == TimerStatus.Failed)
            logger.LogError(exception, "Timer {TimerId} failed attempt {Attempt} of {MaxAttempts} and is now Failed: {Error}", timerId, attempts, TimerRetry.MaxAttempts, error);
        else
            logger.LogWarning("Timer {TimerId} failed attempt {Attempt} of {MaxAttempts}; next attempt at {NextAttemptAt:O}: {Error}", timerId, attempts, TimerRetry.MaxAttempts, next, error);
        return new(timerId, status, status == TimerStatus.Failed ? note! : $"attempt {attempts} failed; next at {next:O}");
    }
}

/// <summary>What firing one timer means, for each kind; used alone (FireTimer) and in batches (FireDueTimers).</summary>
internal sealed class TimerFiring(MediationDbContext db, CaseStore cases, OrgTree tree, WorkflowCatalog workflows, TimeProvider clock)
{
    public async Task<TimerOutcome> FireAsync(long timerId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var timer = await db.CaseTimers.AsNoTracking().FirstOrDefaultAsync(t => t.Id == timerId, cancellationToken)
            ?? throw new NotFoundException($"Timer {timerId}");
        if (timer.Status != TimerStatus.Pending)
            return new(timer.Id, timer.Status, "already fired");
        if (timer.DueAt > now)
            return new(timer.Id, TimerStatus.Pending, "not due yet");

        var @case = await cases.FindAsync(timer.CaseId, cancellationToken) ?? throw new NotFoundException($"Case {timer.CaseId}");
        var workflow = workflows.For(@case);
        var (applied, note) = timer.Kind switch
        {
            TimerKind.LevelDeadline => await LevelDeadlineAsync(@case, timer, workflow, now, cancellationToken),
            TimerKind.AcceptanceDeadline => AcceptanceDeadline(@case, timer, workflow, now),
            TimerKind.ProgressNotice => ProgressNotice(@case, workflow, now),
            TimerKind.FollowUpDue => await FollowUpDueAsync(timer, now, cancellationToken),
            TimerKind.FollowUpGrace => await FollowUpGraceAsync(timer, now, cancellationToken),
            _ => (false, $"unknown timer kind {timer.Kind}"),
        };

        // Claim before writing the effect: whoever moves the timer out of Pending owns it. A second delivery, or
        // another node that got here first, leaves this transaction with nothing to write.
        var status = applied ? TimerStatus.Applied : TimerStatus.Skipped;
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync(
            $"UPDATE case_timers SET status = {status.ToString()}, resolved_at = {now}, note = {note} WHERE id = {timer.Id} AND status = 'Pending'",
            cancellationToken);
        if (claimed == 0)
        {
            // The effect computed above was never written; forget it so later timers in a batch see the stored case.
            db.ChangeTracker.Clear();
            cases.Forget();
            return new(timer.Id, TimerStatus.Applied, "fired elsewhere");
        }
        await cases.SaveAsync(@case, cancellationToken);
        return new(timer.Id, status, note);
    }

    private async Task<(bool, string)> LevelDeadlineAsync(DisputeCase @case, CaseTimer timer, Mediation.Workflows.Definitions.WorkflowDefinition workflow, DateTime now, CancellationToken cancellationToken)
    {
        if (!@case.IsOpen || @case.DeadlineAt is null)
            return (false, $"case is {@case.State}, its clock no longer runs");
        if (@case.Level != timer.Level || @case.UnitId != timer.UnitId)
            return (false, $"case moved on to level {@case.Level}");
        if (@case.DeadlineAt != timer.DueAt)
            return (false, $"deadline moved to {@case.DeadlineAt:O}");
        var parent = @case.ParentUnitId is { } parentId ? await tree.FindAsync(db, parentId, cancellationToken) : null;
        return @case.ExpireLevel(workflow, workflows.Calendar, parent, now)
            ? (true, $"escalated to {parent!.Name}")
            : (true, "flagged overdue; owner and supervisor reminded");
    }

    private static (bool, string) AcceptanceDeadline(DisputeCase @case, CaseTimer timer, Mediation.Workflows.Definitions.WorkflowDefinition workflow, DateTime now)
    {
        if (@case.State != workflow.InitialState.Id || @case.Level != timer.Level || @case.UnitId != timer.UnitId)
            return (false, $"case was accepted or moved on ({@case.State} at {@case.Level})");
        @case.RemindAcceptanceOverdue(now);
        return (true, "acceptance overdue; unit and supervisor reminded");
    }

    private static (bool, string) ProgressNotice(DisputeCase @case, Mediation.Workflows.Definitions.WorkflowDefinition workflow, DateTime now)
    {
        if (!@case.IsOpen)
            return (false, "case is closed");
        @case.RemindProgressNotice(workflow, now);
        return (true, "owner reminded to tell the applicant; next reminder set");
    }

    private async Task<(bool, string)> FollowUpDueAsync(CaseTimer timer, DateTime now, CancellationToken cancellationToken)
    {
        var visit = await db.FollowUps.FirstAsync(f => f.Id == timer.FollowUpId, cancellationToken);
        if (visit.Status == Domain.FollowUps.FollowUpStatus.Done)
            return (false, "follow-up already recorded");
        visit.MarkDue();
        db.Notices.Add(new Notice(visit.UnitId, null, visit.CaseId, Notice.Kinds.FollowUpDue, $"今日回访: {visit.Reason}", now, visit.OwnerId));
        return (true, "owner reminded");
    }

    private async Task<(bool, string)> FollowUpGraceAsync(CaseTimer timer, DateTime now, CancellationToken cancellationToken)
    {
        var visit = await db.FollowUps.AsNoTracking().FirstAsync(f => f.Id == timer.FollowUpId, cancellationToken);
        if (visit.Status == Domain.FollowUps.FollowUpStatus.Done)
            return (false, "follow-up recorded in time");
        var unit = await tree.FindAsync(db, visit.UnitId, cancellationToken);
        db.Notices.Add(new Notice(visit.UnitId, null, visit.CaseId, Notice.Kinds.FollowUpOverdue, $"回访逾期: {visit.Reason}", now, visit.OwnerId));
        if (unit?.ParentId is { } supervisor)
            db.Notices.Add(new Notice(supervisor, null, visit.CaseId, Notice.Kinds.FollowUpOverdue, $"督办: {unit.Name} 回访逾期未完成（{visit.Reason}）", now));
        return (true, "supervision item raised for the unit above");
    }
}
