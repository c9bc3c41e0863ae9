using System.Globalization;
using Mediation.Application.Persistence;
using Microsoft.Data.Sqlite;

namespace Mediation.Benchmarks;

/// <summary>Writes cases straight into a benchmark database, in one transaction, for the states a benchmark starts from.</summary>
internal static class BenchCases
{
    public const string TimeFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    public static string Text(DateTime utc) => utc.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static (long Id, string Path) Unit(SqliteConnection connection, string userName)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT u.id, u.path FROM staff_members s JOIN org_units u ON u.id = s.unit_id WHERE s.user_name = $user";
        command.Parameters.AddWithValue("$user", userName);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>Inserts one case per deadline (null: no running clock) in the given state at a unit; returns their ids.</summary>
    public static List<long> Insert(SqliteConnection connection, (long Id, string Path) unit, string state, string level, string? outcome, IReadOnlyList<DateTime?> deadlines, int version)
    {
        using var transaction = connection.BeginTransaction();
        long next;
        using (var max = connection.CreateCommand())
        {
            max.Transaction = transaction;
            max.CommandText = "SELECT COALESCE(MAX(id), 0) + 1 FROM cases";
            next = (long)max.ExecuteScalar()!;
        }
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO cases (id, case_number, workflow_key, workflow_version, state, level, outcome, unit_id, unit_path, first_responsible_id, owner_id,
              channel, category, summary, risk_level, risk_signals, is_major, party_count, applicant_name,
              registered_at, level_entered_at, deadline_at, updated_at, version, sort_key)
            VALUES ($id, $number, 'mediation-1-9-n', 1, $state, $level, $outcome, $unit, $path, 1, 1, 'WalkIn', 'Neighbour', '邻里纠纷', 'Low', 0, 0, 2, '王秀英',
              $registered, $registered, $deadline, $registered, $version, $sort)
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Integer);
        var number = insert.Parameters.Add("$number", SqliteType.Text);
        insert.Parameters.AddWithValue("$state", state);
        insert.Parameters.AddWithValue("$level", level);
        insert.Parameters.AddWithValue("$outcome", (object?)outcome ?? DBNull.Value);
        insert.Parameters.AddWithValue("$unit", unit.Id);
        insert.Parameters.AddWithValue("$path", unit.Path);
        insert.Parameters.AddWithValue("$registered", Text(DateTime.UtcNow.AddDays(-3)));
        var deadline = insert.Parameters.Add("$deadline", SqliteType.Text);
        insert.Parameters.AddWithValue("$version", version);
        var sort = insert.Parameters.Add("$sort", SqliteType.Integer);
        var ids = new List<long>(deadlines.Count);
        foreach (var due in deadlines)
        {
            id.Value = next;
            number.Value = $"BENCH-{next:D8}";
            deadline.Value = due is { } d ? Text(d) : DBNull.Value;
            sort.Value = MediationDbContext.SortKeyOf(due, next);
            insert.ExecuteNonQuery();
            ids.Add(next++);
        }
        transaction.Commit();
        return ids;
    }

    /// <summary>Inserts a pending level-deadline timer for each case, due at the case's deadline.</summary>
    public static void InsertLevelDeadlines(SqliteConnection connection, IReadOnlyList<long> caseIds, IReadOnlyList<DateTime> dueAt, long unitId)
    {
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO case_timers (case_id, kind, due_at, next_attempt_at, level, unit_id, status, attempts) VALUES ($case, 'LevelDeadline', $due, $due, 'village', $unit, 'Pending', 0)";
        var caseId = insert.Parameters.Add("$case", SqliteType.Integer);
        var due = insert.Parameters.Add("$due", SqliteType.Text);
        insert.Parameters.AddWithValue("$unit", unitId);
        for (var i = 0; i < caseIds.Count; i++)
        {
            caseId.Value = caseIds[i];
            due.Value = Text(dueAt[i]);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }
}
