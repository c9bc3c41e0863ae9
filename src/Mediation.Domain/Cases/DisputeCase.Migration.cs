using System.Text.Json;
using Mediation.Domain.Deadlines;
using Mediation.Domain.Org;
using Mediation.Workflows.Actions;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Migrations;
using Mediation.Workflows.Time;

namespace Mediation.Domain.Cases;

/// <summary>A case's timer that has not fired yet (or could not), as a migration sees it.</summary>
public sealed record OpenTimer(long Id, TimerKind Kind, DateTime DueAt, string Level, TimerStatus Status);

public enum TimerChangeKind
{
    /// <summary>Same due time, renamed level.</summary>
    Relabelled,

    /// <summary>A new due time under the new limit.</summary>
    Moved,

    /// <summary>Means nothing in the new state: skipped, naming the migration.</summary>
    Dropped,
}

/// <summary>One pending timer the migration rewrites.</summary>
public sealed record TimerChange(long TimerId, TimerKind Kind, DateTime DueBefore, DateTime? DueAfter, string LevelAfter, TimerChangeKind Change);

/// <summary>
/// What moving one case to the new version does, worked out before anything is written: the preview shows it and
/// the apply carries out this very plan, so the two cannot disagree. A refused plan says why, in both languages.
/// </summary>
public sealed record CaseMigrationPlan(
    long CaseId,
    string CaseNumber,
    string FromState,
    string ToState,
    string FromLevel,
    string ToLevel,
    DateTime? DeadlineBefore,
    DateTime? DeadlineAfter,
    DeadlineRule DeadlineRule,
    IReadOnlyList<TimerChange> Timers,
    string? Refusal,
    string? RefusalZh)
{
    public bool CanMigrate => Refusal is null;
}

/// <summary>A case the migration cannot move (409), with the reason.</summary>
public sealed class CaseMigrationRefusedException(string caseNumber, string reason, string reasonZh)
    : DomainRuleException($"Case {caseNumber} cannot be migrated: {reason}")
{
    public string ReasonZh { get; } = reasonZh;
}

public sealed partial class DisputeCase
{
    public const string MigratedAction = CaseActions.Migrated;

    /// <summary>How this case would move under <paramref name="migration"/>, given its open timers.</summary>
    public CaseMigrationPlan PlanMigration(WorkflowMigration migration, WorkflowDefinition from, WorkflowDefinition to, WorkingDayCalendar calendar, IReadOnlyList<OpenTimer> timers)
    {
        if (WorkflowKey != migration.WorkflowKey || WorkflowVersion != migration.FromVersion || from.Version != migration.FromVersion || to.Version != migration.ToVersion)
            throw new InvalidOperationException($"Case {CaseNumber} runs on {WorkflowKey} v{WorkflowVersion}, not on the source of {migration}.");
        var toState = to.State(migration.States[State]);
        var toLevel = to.Level(migration.Levels[Level]);
        var rule = migration.DeadlineFor(Level);

        string? refusal = null, refusalZh = null;
        if (timers.FirstOrDefault(t => t.Status == TimerStatus.Failed) is { } failed)
        {
            (refusal, refusalZh) = ($"its {failed.Kind} timer (#{failed.Id}) failed and waits for an administrator; retry or cancel it first",
                $"其计时任务 #{failed.Id} 执行失败，待管理员处理；请先重试或取消该任务");
        }
        else if (IsSuspended && rule == DeadlineRule.RecomputeFromTimeSpent && toState.ClockRuns)
        {
            (refusal, refusalZh) = ("its clock is suspended, so the time spent in the level is not settled; resume it first, then apply again",
                "该案件已中止计时，已用时限尚未确定；请先恢复计时，再执行迁移");
        }

        var deadlineAfter = !toState.ClockRuns ? null
            : IsSuspended || rule == DeadlineRule.KeepDeadline ? DeadlineAt
            : calendar.Deadline(LevelEnteredAt, toLevel.TimeLimit);
        var changes = new List<TimerChange>();
        foreach (var timer in timers.Where(t => t.Status == TimerStatus.Pending).OrderBy(t => t.Id))
        {
            var level = migration.Levels.TryGetValue(timer.Level, out var mapped) ? mapped : toLevel.Id;
            TimerChange? change = timer.Kind switch
            {
                TimerKind.LevelDeadline when deadlineAfter is null => Drop(timer),
                TimerKind.LevelDeadline when timer.DueAt == DeadlineAt && deadlineAfter != timer.DueAt => new(timer.Id, timer.Kind, timer.DueAt, deadlineAfter, level, TimerChangeKind.Moved),
                TimerKind.AcceptanceDeadline when toState.Id != to.InitialState.Id || toLevel.AcceptWithin is null => Drop(timer),
                TimerKind.AcceptanceDeadline when rule == DeadlineRule.RecomputeFromTimeSpent && calendar.Deadline(LevelEnteredAt, toLevel.AcceptWithin) is var due && due != timer.DueAt =>
                    new(timer.Id, timer.Kind, timer.DueAt, due, level, TimerChangeKind.Moved),
                _ when level != timer.Level => new(timer.Id, timer.Kind, timer.DueAt, timer.DueAt, level, TimerChangeKind.Relabelled),
                _ => null,
            };
            if (change is not null)
                changes.Add(change);
        }
        return new(Id, CaseNumber, State, toState.Id, Level, toLevel.Id, DeadlineAt, deadlineAfter, rule, changes, refusal, refusalZh);

        static TimerChange Drop(OpenTimer timer) => new(timer.Id, timer.Kind, timer.DueAt, null, timer.Level, TimerChangeKind.Dropped);
    }

    /// <summary>
    /// Moves the case onto the target version as planned: state, level and deadline rewritten, one "migrated" event
    /// with the mapping. The caller rewrites the timers the plan names in the same transaction.
    /// </summary>
    public CaseMigrationPlan Migrate(WorkflowMigration migration, WorkflowDefinition from, WorkflowDefinition to, WorkingDayCalendar calendar, IReadOnlyList<OpenTimer> timers, Actor actor, DateTime nowUtc)
    {
        var plan = PlanMigration(migration, from, to, calendar, timers);
        if (!plan.CanMigrate)
            throw new CaseMigrationRefusedException(CaseNumber, plan.Refusal!, plan.RefusalZh!);
        var (fromState, fromLevel, fromUnit) = (State, Level, UnitId);
        var toState = to.State(plan.ToState);
        WorkflowVersion = to.Version;
        State = toState.Id;
        Level = plan.ToLevel;
        if (toState.Outcome is not null)
            Outcome = toState.Outcome;
        else if (!toState.IsFinal)
            Outcome = null;
        DeadlineAt = plan.DeadlineAfter;
        if (!toState.ClockRuns)
            (SuspendedAt, PausedMinutes) = (null, null);
        Record(MigratedAction, fromState, fromLevel, fromUnit, actor, nowUtc, new
        {
            migration = migration.File,
            fromVersion = migration.FromVersion,
            toVersion = migration.ToVersion,
            deadlineRule = JsonNamingPolicy.CamelCase.ConvertName(plan.DeadlineRule.ToString()),
            deadlineBefore = plan.DeadlineBefore,
            deadlineAfter = plan.DeadlineAfter,
            timers = plan.Timers.Select(t => new { id = t.TimerId, kind = t.Kind.ToString(), change = t.Change.ToString(), dueBefore = t.DueBefore, dueAfter = t.DueAfter }),
        });
        return plan;
    }
}
