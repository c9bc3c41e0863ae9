using System.Data.Common;
using Mediation.Domain.Cases;
using Mediation.Domain.Deadlines;
using Mediation.Domain.Supervision;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mediation.Application.Persistence;

/// <summary>
/// Loads a case for a change and writes the change back: the versioned update of the case row first (so a
/// concurrent writer is detected before anything else is written, on SQLite and PostgreSQL alike), then its new
/// events, sessions, agreement and notices, then the tallies, all in the command's transaction.
/// Hand-written because EF's change tracker cost three times the SQL itself on this path (see ADR 0004);
/// registration, queries and everything else go through EF.
/// </summary>
public sealed class CaseStore(MediationDbContext db, IStoreDialect dialect, Features.LiveFeeds.FeedNews news, Features.Webhooks.WebhookOutbox webhooks)
{
    // Compiled once per model: a compiled query refuses a model other than its own, and each database has its own model.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Microsoft.EntityFrameworkCore.Metadata.IModel, Func<MediationDbContext, long, Task<DisputeCase?>>> Loads = new();

    private static Func<MediationDbContext, long, Task<DisputeCase?>> CompileLoad() =>
        EF.CompileAsyncQuery((MediationDbContext context, long id) => context.Cases.AsNoTracking().Include(c => c.Agreements).FirstOrDefault(c => c.Id == id));

    private readonly Dictionary<long, (DisputeCase Case, Row Loaded)> _loaded = [];

    // Tally moves gathered while a batch defers them, and how many of them stood at its last savepoint.
    private List<(CaseTally.Key Key, int Delta)>? _deferredTallies;
    private int _tallyMark;

    /// <summary>Drops what was loaded, and tally moves since the last savepoint, after a rollback left them ahead of the database.</summary>
    public void Forget()
    {
        _loaded.Clear();
        _deferredTallies?.RemoveRange(_tallyMark, _deferredTallies.Count - _tallyMark);
    }

    /// <summary>
    /// Gathers tally moves instead of writing them, until <see cref="FlushTalliesAsync"/>: a batch then locks each tally
    /// cell once, at its end, in key order, so two nodes' batches never hold the same cells in opposite orders (a deadlock).
    /// </summary>
    public void DeferTallies() => (_deferredTallies, _tallyMark) = ([], 0);

    /// <summary>Marks a savepoint: <see cref="Forget"/> drops only the tally moves gathered after it.</summary>
    public void MarkSavepoint() => _tallyMark = _deferredTallies?.Count ?? 0;

    /// <summary>Writes the gathered tally moves, netted per cell, and stops deferring.</summary>
    public async Task FlushTalliesAsync(CancellationToken cancellationToken)
    {
        var moves = _deferredTallies;
        StopDeferringTallies();
        var changes = moves?.GroupBy(m => m.Key).Select(g => (g.Key, Delta: g.Sum(m => m.Delta))).Where(c => c.Delta != 0).ToArray() ?? [];
        if (changes.Length > 0)
        {
            var (connection, transaction) = Current();
            await CountAsync(connection, transaction, changes, cancellationToken);
        }
    }

    /// <summary>Forgets gathered tally moves without writing them (the batch's transaction failed).</summary>
    public void StopDeferringTallies() => (_deferredTallies, _tallyMark) = (null, 0);

    /// <summary>The case as stored; within one scope every caller gets the same instance.</summary>
    public async Task<DisputeCase?> FindAsync(long id, CancellationToken cancellationToken)
    {
        if (_loaded.TryGetValue(id, out var loaded))
            return loaded.Case;
        var @case = await Loads.GetOrAdd(db.Model, _ => CompileLoad())(db, id);
        if (@case is not null)
            _loaded[id] = (@case, Row.Of(@case));
        return @case;
    }

    /// <summary>The id a new case will be written with, unique across every node on the database (the dialect draws it).</summary>
    public Task<long> NextIdAsync(CancellationToken cancellationToken) => dialect.NextCaseIdAsync(db, cancellationToken);

    /// <summary>Writes a newly registered case with its parties, first event and notices.</summary>
    public async Task AddAsync(DisputeCase @case, CancellationToken cancellationToken)
    {
        var (connection, transaction) = Current();
        await ExecuteAsync(connection, transaction,
            "INSERT INTO cases (id, case_number, workflow_key, workflow_version, state, level, outcome, unit_id, unit_path, first_responsible_id, owner_id, " +
            "channel, category, summary, description, amount_in_dispute, risk_level, risk_signals, is_major, party_count, applicant_name, " +
            "registered_at, level_entered_at, deadline_at, closed_at, updated_at, version, sort_key) VALUES " +
            "(@id, @number, @key, @wfVersion, @state, @level, @outcome, @unit, @path, @first, @owner, @channel, @category, @summary, @description, @amount, " +
            "@risk, @signals, @major, @parties, @applicant, @registered, @entered, @deadline, @closed, @updated, @version, @sort)",
            cancellationToken,
            ("@id", @case.Id), ("@number", @case.CaseNumber), ("@key", @case.WorkflowKey), ("@wfVersion", @case.WorkflowVersion), ("@state", @case.State),
            ("@level", @case.Level), ("@outcome", @case.Outcome), ("@unit", @case.UnitId), ("@path", @case.UnitPath), ("@first", @case.FirstResponsibleId),
            ("@owner", @case.OwnerId), ("@channel", @case.Channel.ToString()), ("@category", @case.Category.ToString()), ("@summary", @case.Summary),
            ("@description", @case.Description), ("@amount", @case.AmountInDispute), ("@risk", @case.RiskLevel.ToString()), ("@signals", (int)@case.RiskSignals),
            ("@major", @case.IsMajor), ("@parties", @case.PartyCount), ("@applicant", @case.ApplicantName), ("@registered", @case.RegisteredAt),
            ("@entered", @case.LevelEnteredAt), ("@deadline", @case.DeadlineAt), ("@closed", @case.ClosedAt), ("@updated", @case.UpdatedAt),
            ("@version", @case.Version), ("@sort", MediationDbContext.SortKeyOf(@case.DeadlineAt, @case.Id)));
        foreach (var p in @case.Parties)
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO parties (case_id, role, name, phone, id_number, address) VALUES (@case, @role, @name, @phone, @idNumber, @address)",
                cancellationToken,
                ("@case", @case.Id), ("@role", p.Role.ToString()), ("@name", p.Name), ("@phone", p.Phone), ("@idNumber", p.IdNumber), ("@address", p.Address));
        }
        var row = Row.Of(@case);
        await AppendAsync(connection, transaction, @case, cancellationToken);
        await TallyAsync(connection, transaction, [(row.Tally, 1)], cancellationToken);
        @case.ClearNewEvents();
        _loaded[@case.Id] = (@case, row);
    }

    public async Task SaveAsync(DisputeCase @case, CancellationToken cancellationToken)
    {
        if (!_loaded.TryGetValue(@case.Id, out var loaded) || !ReferenceEquals(loaded.Case, @case))
            throw new InvalidOperationException($"Case {@case.CaseNumber} was not loaded through this store.");
        var (connection, transaction) = Current();
        if (@case.Version == loaded.Loaded.Version)
        {
            // Reminders and timers can be added without changing the case itself.
            await AppendAsync(connection, transaction, @case, cancellationToken);
            @case.ClearNewEvents();
            return;
        }

        // Only the columns that changed: SQLite rewrites every index on a column named in SET, changed or not.
        var now = Row.Of(@case);
        var set = new List<(string Column, object? Value)> { ("version", now.Version), ("updated_at", @case.UpdatedAt) };
        foreach (var (column, before, after) in loaded.Loaded.Columns().Zip(now.Columns(), (b, a) => (b.Column, b.Value, a.Value)))
        {
            if (!Equals(before, after))
                set.Add((column, after));
        }
        var parameters = set.Select((c, i) => ($"@p{i}", c.Value)).Append(("@id", @case.Id)).Append(("@loaded", loaded.Loaded.Version)).ToArray();
        var updated = await ExecuteAsync(connection, transaction,
            $"UPDATE cases SET {string.Join(", ", set.Select((c, i) => $"{c.Column} = @p{i}"))} WHERE id = @id AND version = @loaded",
            cancellationToken, parameters);
        if (updated != 1)
        {
            var stored = await db.Cases.AsNoTracking().Where(c => c.Id == @case.Id).Select(c => c.Version).FirstOrDefaultAsync(cancellationToken);
            throw new ConcurrentEditException(@case.CaseNumber, loaded.Loaded.Version, stored);
        }

        await AppendAsync(connection, transaction, @case, cancellationToken);

        if (now.Tally != loaded.Loaded.Tally)
            await TallyAsync(connection, transaction, [(loaded.Loaded.Tally, -1), (now.Tally, 1)], cancellationToken);

        @case.ClearNewEvents();
        _loaded[@case.Id] = (@case, now);
    }

    // What a change adds beside the case row: its events, new sessions, a new agreement and notices.
    private async Task AppendAsync(DbConnection connection, DbTransaction transaction, DisputeCase @case, CancellationToken cancellationToken)
    {
        await webhooks.WriteAsync(@case, cancellationToken);
        foreach (var e in @case.NewEvents)
        {
            news.Saw(e, @case);
            await ExecuteAsync(connection, transaction,
                "INSERT INTO case_events (case_id, sequence, action, from_state, to_state, from_level, level, from_unit_id, unit_id, outcome, actor_id, actor_name, actor_role, actor_unit_id, occurred_at, payload) " +
                "VALUES (@case, @sequence, @action, @fromState, @toState, @fromLevel, @level, @fromUnit, @unit, @outcome, @actor, @actorName, @actorRole, @actorUnit, @at, @payload)",
                cancellationToken,
                ("@case", @case.Id), ("@sequence", e.Sequence), ("@action", e.Action), ("@fromState", e.FromState), ("@toState", e.ToState),
                ("@fromLevel", e.FromLevel), ("@level", e.Level), ("@fromUnit", e.FromUnitId), ("@unit", e.UnitId), ("@outcome", e.Outcome),
                ("@actor", e.ActorId), ("@actorName", e.ActorName), ("@actorRole", e.ActorRole), ("@actorUnit", e.ActorUnitId), ("@at", e.OccurredAt), ("@payload", e.Payload));
        }

        foreach (var s in @case.Sessions.Where(s => s.Id == 0))
        {
            await ExecuteAsync(connection, transaction,
                "INSERT INTO mediation_sessions (case_id, held_at, place, attendees, summary, mediator_id, unit_id) VALUES (@case, @held, @place, @attendees, @summary, @mediator, @unit)",
                cancellationToken,
                ("@case", @case.Id), ("@held", s.HeldAt), ("@place", s.Place), ("@attendees", s.Attendees), ("@summary", s.Summary), ("@mediator", s.MediatorId), ("@unit", s.UnitId));
        }

        foreach (var superseded in @case.Agreements.Where(a => a.Id != 0 && a.SupersededAt is not null))
        {
            await ExecuteAsync(connection, transaction,
                "UPDATE agreements SET superseded_at = @at WHERE id = @id AND superseded_at IS NULL",
                cancellationToken, ("@at", superseded.SupersededAt), ("@id", superseded.Id));
        }

        foreach (var agreement in @case.Agreements.Where(a => a.Id == 0))
        {
            // Written as EF keeps them, which differs by database.
            var dueDates = dialect.DueDatesParameter(agreement.DueDates.ToList());
            await ExecuteAsync(connection, transaction,
                "INSERT INTO agreements (case_id, terms, accepted_by_parties, due_dates, signed_at) VALUES (@case, @terms, @accepted, @due, @signed)",
                cancellationToken,
                ("@case", @case.Id), ("@terms", agreement.Terms), ("@accepted", agreement.AcceptedByParties), ("@due", dueDates), ("@signed", agreement.SignedAt));
        }

        foreach (var n in @case.NewNotices)
            await InsertNoticeAsync(connection, transaction, n, @case.Id, cancellationToken);

        foreach (var t in @case.NewTimers)
            await InsertTimerAsync(connection, transaction, t.CaseId, t.Kind, t.DueAt, t.Level, t.UnitId, null, cancellationToken);

        foreach (var f in @case.CancelledFollowUps)
        {
            await ExecuteAsync(connection, transaction,
                "UPDATE follow_up_visits SET status = 'Cancelled', cancelled_at = @at, cancel_reason = @reason WHERE id = @id AND status IN ('Scheduled', 'Due')",
                cancellationToken, ("@at", f.CancelledAt), ("@reason", f.CancelReason), ("@id", f.Id));
            await ExecuteAsync(connection, transaction,
                "UPDATE case_timers SET status = 'Skipped', resolved_at = @at, note = @note WHERE follow_up_id = @id AND status = 'Pending'",
                cancellationToken, ("@at", f.CancelledAt), ("@note", "回访已取消: 案件已重新调解"), ("@id", f.Id));
        }

        foreach (var f in @case.NewFollowUps)
        {
            var followUpId = await ScalarAsync(connection, transaction,
                "INSERT INTO follow_up_visits (case_id, owner_id, unit_id, due_on, due_at, grace_ends_at, reason, status) " +
                "VALUES (@case, @owner, @unit, @dueOn, @dueAt, @grace, @reason, 'Scheduled') RETURNING id",
                cancellationToken,
                ("@case", @case.Id), ("@owner", f.OwnerId), ("@unit", f.UnitId), ("@dueOn", f.DueOn), ("@dueAt", f.DueAt), ("@grace", f.GraceEndsAt), ("@reason", f.Reason));
            await InsertTimerAsync(connection, transaction, @case.Id, TimerKind.FollowUpDue, f.DueAt, @case.Level, f.UnitId, followUpId, cancellationToken);
            await InsertTimerAsync(connection, transaction, @case.Id, TimerKind.FollowUpGrace, f.GraceEndsAt, @case.Level, f.UnitId, followUpId, cancellationToken);
        }
    }

    private Task TallyAsync(DbConnection connection, DbTransaction transaction, (CaseTally.Key Key, int Delta)[] changes, CancellationToken cancellationToken)
    {
        if (_deferredTallies is null)
            return CountAsync(connection, transaction, changes, cancellationToken);
        _deferredTallies.AddRange(changes);
        return Task.CompletedTask;
    }

    // One upsert for the cells a change leaves and enters; ON CONFLICT works alike on SQLite and PostgreSQL. In key order,
    // so concurrent writers lock shared cells in one order and never wait on each other in a circle.
    private static Task<int> CountAsync(DbConnection connection, DbTransaction transaction, (CaseTally.Key Key, int Delta)[] changes, CancellationToken cancellationToken)
    {
        changes = [.. changes.OrderBy(c => c.Key.UnitId).ThenBy(c => c.Key.Level, StringComparer.Ordinal)
            .ThenBy(c => c.Key.State, StringComparer.Ordinal).ThenBy(c => c.Key.Outcome, StringComparer.Ordinal)];
        var values = string.Join(", ", changes.Select((_, i) => $"(@u{i}, @l{i}, @s{i}, @o{i}, @d{i})"));
        var parameters = changes.SelectMany((c, i) => new (string, object?)[]
        {
            ($"@u{i}", c.Key.UnitId), ($"@l{i}", c.Key.Level), ($"@s{i}", c.Key.State), ($"@o{i}", c.Key.Outcome), ($"@d{i}", c.Delta),
        }).ToArray();
        return ExecuteAsync(connection, transaction,
            $"INSERT INTO case_tallies (unit_id, level, state, outcome, count) VALUES {values} " +
            "ON CONFLICT (unit_id, level, state, outcome) DO UPDATE SET count = case_tallies.count + excluded.count",
            cancellationToken, parameters);
    }

    private (DbConnection Connection, DbTransaction Transaction) Current() =>
        (db.Database.GetDbConnection(), db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A case is written inside the command's transaction."));

    private static Task<int> InsertNoticeAsync(DbConnection connection, DbTransaction transaction, Notice n, long caseId, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT INTO notices (recipient_unit_id, recipient_role, recipient_staff_id, case_id, kind, message, created_at, read_at) " +
            "VALUES (@unit, @role, @staff, @case, @kind, @message, @created, NULL)",
            cancellationToken,
            ("@unit", n.RecipientUnitId), ("@role", n.RecipientRole), ("@staff", n.RecipientStaffId), ("@case", caseId), ("@kind", n.Kind), ("@message", n.Message), ("@created", n.CreatedAt));

    private static Task<int> InsertTimerAsync(DbConnection connection, DbTransaction transaction, long caseId, TimerKind kind, DateTime dueAt, string level, long unitId, long? followUpId, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction,
            "INSERT INTO case_timers (case_id, kind, due_at, next_attempt_at, level, unit_id, follow_up_id, status, attempts) VALUES (@case, @kind, @due, @due, @level, @unit, @followUp, 'Pending', 0)",
            cancellationToken,
            ("@case", caseId), ("@kind", kind.ToString()), ("@due", dueAt), ("@level", level), ("@unit", unitId), ("@followUp", followUpId));

    private static async Task<long> ScalarAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The columns a change may touch, as they stood when loaded or last saved.</summary>
    private sealed record Row(long Id, int Version, int WorkflowVersion, string State, string Level, string? Outcome, long UnitId, string UnitPath, long? OwnerId,
        DateTime LevelEnteredAt, DateTime? DeadlineAt, DateTime? ClosedAt, DateTime? SuspendedAt, int? PausedMinutes)
    {
        public CaseTally.Key Tally => new(UnitId, Level, State, Outcome ?? "");

        public static Row Of(DisputeCase c) =>
            new(c.Id, c.Version, c.WorkflowVersion, c.State, c.Level, c.Outcome, c.UnitId, c.UnitPath, c.OwnerId, c.LevelEnteredAt, c.DeadlineAt, c.ClosedAt, c.SuspendedAt, c.PausedMinutes);

        public IEnumerable<(string Column, object? Value)> Columns() =>
        [
            ("workflow_version", WorkflowVersion), ("state", State), ("level", Level), ("outcome", Outcome), ("unit_id", UnitId), ("unit_path", UnitPath), ("owner_id", OwnerId),
            ("level_entered_at", LevelEnteredAt), ("deadline_at", DeadlineAt), ("closed_at", ClosedAt),
            ("suspended_at", SuspendedAt), ("paused_minutes", PausedMinutes),
            ("sort_key", MediationDbContext.SortKeyOf(DeadlineAt, Id)),
        ];
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
