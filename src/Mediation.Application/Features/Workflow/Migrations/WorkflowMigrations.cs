using Mediation.Application.Features.Administration.AuditTrail;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Domain.Deadlines;
using Mediation.Domain.Org;
using Mediation.Workflows.Migrations;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Features.Workflow.Migrations;

public sealed record MigrationSummary(string Id, string File, string WorkflowKey, int FromVersion, int ToVersion, int CasesOnSource);

/// <summary>How many cases go from one state and level to another.</summary>
public sealed record StateMove(string FromState, string FromLevel, string ToState, string ToLevel, int Cases);

/// <summary>
/// What a migration does (preview) or did (apply) to the administered cases pinned to its source version: the moves,
/// each case's plan with its deadline and timers, and the cases refused with the reason.
/// </summary>
public sealed record MigrationReport(
    MigrationSummary Migration,
    bool Applied,
    IReadOnlyList<StateMove> Moves,
    IReadOnlyList<CaseMigrationPlan> Cases,
    IReadOnlyList<CaseMigrationPlan> Refused)
{
    public int TimersChanged => Cases.Sum(c => c.Timers.Count);
}

/// <summary>The migration files beside the definitions, with how many administered cases each would move.</summary>
public sealed record ListWorkflowMigrations : IQuery<IReadOnlyList<MigrationSummary>>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>What applying the migration now would do; changes nothing.</summary>
public sealed record PreviewWorkflowMigration(string MigrationId) : IQuery<MigrationReport>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>
/// Moves every administered case pinned to the source version that can move, in one transaction: a "migrated" event
/// per case, pinned version, state, level and deadline rewritten, timers rewritten. Repeating it moves nothing more.
/// </summary>
public sealed record ApplyWorkflowMigration(string MigrationId) : ICommand<MigrationReport>, IRoleRestricted
{
    public IReadOnlyList<string> AllowedRoles => [Actor.Roles.Administrator];
}

/// <summary>A migration run as the audit trail shows it: which version, how many cases in which states.</summary>
public sealed record CasesMigrationSnapshot(string Migration, int Version, int Cases, string States, int Refused) : IAuditSnapshot;

internal sealed class PreviewWorkflowMigrationValidator : IValidator<PreviewWorkflowMigration>
{
    public IEnumerable<FieldError> Validate(PreviewWorkflowMigration request) => Rules.Required(request.MigrationId, "migrationId", 200);
}

internal sealed class ApplyWorkflowMigrationValidator : IValidator<ApplyWorkflowMigration>
{
    public IEnumerable<FieldError> Validate(ApplyWorkflowMigration request) => Rules.Required(request.MigrationId, "migrationId", 200);
}

internal sealed class WorkflowMigrationHandlers(MediationDbContext db, Org.OrgTree tree, CaseStore cases, WorkflowCatalog workflows, ActorContext actors, TimeProvider clock) :
    IRequestHandler<ListWorkflowMigrations, IReadOnlyList<MigrationSummary>>,
    IRequestHandler<PreviewWorkflowMigration, MigrationReport>,
    IRequestHandler<ApplyWorkflowMigration, MigrationReport>
{
    public async Task<IReadOnlyList<MigrationSummary>> Handle(ListWorkflowMigrations request, CancellationToken cancellationToken)
    {
        var administered = await Org.AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        var list = new List<MigrationSummary>();
        foreach (var migration in workflows.Migrations.All)
            list.Add(Summary(migration, await SourceCases(migration, administered).CountAsync(cancellationToken)));
        return list;
    }

    public Task<MigrationReport> Handle(PreviewWorkflowMigration request, CancellationToken cancellationToken) =>
        RunAsync(request.MigrationId, apply: false, cancellationToken);

    public Task<MigrationReport> Handle(ApplyWorkflowMigration request, CancellationToken cancellationToken) =>
        RunAsync(request.MigrationId, apply: true, cancellationToken);

    // Preview and apply walk the same cases through the same plan; apply then carries each plan out.
    private async Task<MigrationReport> RunAsync(string id, bool apply, CancellationToken cancellationToken)
    {
        var migration = workflows.Migrations.Find(id) ?? throw new NotFoundException($"Workflow migration '{id}'");
        var from = workflows.Registry.Get(migration.WorkflowKey, migration.FromVersion);
        var to = workflows.Registry.Get(migration.WorkflowKey, migration.ToVersion);
        var administered = await Org.AdministeredTree.PathAsync(db, tree, actors.Current, cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var ids = await SourceCases(migration, administered).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(cancellationToken);
        var open = (await db.CaseTimers.AsNoTracking()
                .Where(t => ids.Contains(t.CaseId) && (t.Status == TimerStatus.Pending || t.Status == TimerStatus.Failed))
                .Select(t => new { t.CaseId, Timer = new OpenTimer(t.Id, t.Kind, t.DueAt, t.Level, t.Status) })
                .ToListAsync(cancellationToken))
            .ToLookup(t => t.CaseId, t => t.Timer);

        var planned = new List<CaseMigrationPlan>();
        var refused = new List<CaseMigrationPlan>();
        foreach (var caseId in ids)
        {
            var @case = await cases.FindAsync(caseId, cancellationToken) ?? throw new NotFoundException($"Case {caseId}");
            var timers = open[caseId].ToList();
            var plan = @case.PlanMigration(migration, from, to, workflows.Calendar, timers);
            if (!plan.CanMigrate)
            {
                refused.Add(plan);
                continue;
            }
            if (apply)
            {
                plan = @case.Migrate(migration, from, to, workflows.Calendar, timers, actors.Current, now);
                await cases.SaveAsync(@case, cancellationToken);
                await RewriteTimersAsync(plan, migration, now, cancellationToken);
            }
            planned.Add(plan);
        }

        var moves = planned.GroupBy(p => (p.FromState, p.FromLevel, p.ToState, p.ToLevel))
            .Select(g => new StateMove(g.Key.FromState, g.Key.FromLevel, g.Key.ToState, g.Key.ToLevel, g.Count()))
            .OrderBy(m => m.FromLevel, StringComparer.Ordinal).ThenBy(m => m.FromState, StringComparer.Ordinal).ToList();
        if (apply && planned.Count > 0)
        {
            var subject = new AuditSubject(AdminAudit.Subjects.Workflow, $"{migration.WorkflowKey}@{migration.ToVersion}", $"{migration.WorkflowKey} v{migration.FromVersion} → v{migration.ToVersion}", administered == "/" ? null : administered);
            db.RecordAdministration(actors.Current, AdminAudit.Kinds.CasesMigrated, subject,
                new CasesMigrationSnapshot(migration.File, migration.FromVersion, planned.Count, States(planned, p => p.FromState), refused.Count),
                new CasesMigrationSnapshot(migration.File, migration.ToVersion, planned.Count, States(planned, p => p.ToState), refused.Count),
                now);
            await db.SaveChangesAsync(cancellationToken);
        }
        return new MigrationReport(Summary(migration, ids.Count), apply, moves, planned, refused);
    }

    private async Task RewriteTimersAsync(CaseMigrationPlan plan, WorkflowMigration migration, DateTime now, CancellationToken cancellationToken)
    {
        foreach (var change in plan.Timers)
        {
            var pending = nameof(TimerStatus.Pending);
            _ = change.Change switch
            {
                TimerChangeKind.Moved => await db.Database.ExecuteSqlInterpolatedAsync(
                    $"UPDATE case_timers SET due_at = {change.DueAfter}, next_attempt_at = {change.DueAfter}, level = {change.LevelAfter} WHERE id = {change.TimerId} AND status = {pending}", cancellationToken),
                TimerChangeKind.Relabelled => await db.Database.ExecuteSqlInterpolatedAsync(
                    $"UPDATE case_timers SET level = {change.LevelAfter} WHERE id = {change.TimerId} AND status = {pending}", cancellationToken),
                _ => await db.Database.ExecuteSqlInterpolatedAsync(
                    $"UPDATE case_timers SET status = {nameof(TimerStatus.Skipped)}, resolved_at = {now}, note = {"dropped by migration " + migration.File + ": it means nothing in state " + plan.ToState} WHERE id = {change.TimerId} AND status = {pending}", cancellationToken),
            };
        }
    }

    private IQueryable<DisputeCase> SourceCases(WorkflowMigration migration, string administered) =>
        db.Cases.AsNoTracking().Where(c => c.WorkflowKey == migration.WorkflowKey && c.WorkflowVersion == migration.FromVersion && c.UnitPath.StartsWith(administered));

    private static MigrationSummary Summary(WorkflowMigration m, int cases) => new(m.Id, m.File, m.WorkflowKey, m.FromVersion, m.ToVersion, cases);

    private static string States(IEnumerable<CaseMigrationPlan> plans, Func<CaseMigrationPlan, string> state) =>
        string.Join(", ", plans.GroupBy(state).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}"));
}
