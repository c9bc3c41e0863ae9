using Mediation.Application.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace Mediation.Benchmarks;

/// <summary>The PostgreSQL server a run measures on: each benchmark gets a database of its own, created empty and dropped after.</summary>
internal sealed class PostgresServer(string connectionString)
{
    public string ConnectionString { get; } = connectionString;

    public async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"mediation_bench_{purpose}_{Guid.NewGuid():N}"[..50];
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ToString();
    }

    public async Task DropDatabaseAsync(string database)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(database).Database;
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>The server's version and the settings that decide what a commit costs, for the report.</summary>
    public async Task<string> DescribeAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('shared_buffers'), current_setting('max_connections')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"PostgreSQL {reader.GetString(0)}, fsync={reader.GetString(1)}, synchronous_commit={reader.GetString(2)}, shared_buffers={reader.GetString(3)}, max_connections={reader.GetString(4)}";
    }
}

/// <summary>Writes cases and timers straight into a PostgreSQL benchmark database (binary COPY), for the states a benchmark starts from.</summary>
internal static class PostgresCases
{
    public static async Task<(long Id, string Path)> UnitAsync(NpgsqlConnection connection, string userName)
    {
        await using var command = new NpgsqlCommand("SELECT u.id, u.path FROM staff_members s JOIN org_units u ON u.id = s.unit_id WHERE s.user_name = @user", connection);
        command.Parameters.AddWithValue("user", userName);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>The first mediator of the unit above a user's unit (a village mediator's station mediator).</summary>
    public static async Task<string> AboveAsync(NpgsqlConnection connection, string userName)
    {
        await using var command = new NpgsqlCommand(
            "SELECT s2.user_name FROM staff_members s JOIN org_units u ON u.id = s.unit_id JOIN staff_members s2 ON s2.unit_id = u.parent_id WHERE s.user_name = @user ORDER BY s2.id LIMIT 1", connection);
        command.Parameters.AddWithValue("user", userName);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Inserts one case per deadline (null: no running clock) in the given state at a unit; returns their ids, drawn from the cases' identity.</summary>
    public static async Task<List<long>> InsertAsync(NpgsqlConnection connection, (long Id, string Path) unit, string state, string level, string? outcome, IReadOnlyList<DateTime?> deadlines, int version)
    {
        var ids = new List<long>(deadlines.Count);
        await using (var next = new NpgsqlCommand("SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, @n)", connection))
        {
            next.Parameters.AddWithValue("n", deadlines.Count);
            await using var reader = await next.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                ids.Add(reader.GetInt64(0));
        }
        var registered = DateTime.UtcNow.AddDays(-3);
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY cases (id, case_number, workflow_key, workflow_version, state, level, outcome, unit_id, unit_path, first_responsible_id, owner_id, " +
            "channel, category, summary, risk_level, risk_signals, is_major, party_count, applicant_name, registered_at, level_entered_at, deadline_at, updated_at, version, sort_key) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < ids.Count; i++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(ids[i], NpgsqlDbType.Bigint);
                await copy.WriteAsync($"BENCH-{ids[i]:D8}", NpgsqlDbType.Varchar);
                await copy.WriteAsync("mediation-1-9-n", NpgsqlDbType.Varchar);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync(state, NpgsqlDbType.Varchar);
                await copy.WriteAsync(level, NpgsqlDbType.Varchar);
                if (outcome is null)
                    await copy.WriteNullAsync();
                else
                    await copy.WriteAsync(outcome, NpgsqlDbType.Varchar);
                await copy.WriteAsync(unit.Id, NpgsqlDbType.Bigint);
                await copy.WriteAsync(unit.Path, NpgsqlDbType.Varchar);
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                await copy.WriteAsync("WalkIn", NpgsqlDbType.Varchar);
                await copy.WriteAsync("Neighbour", NpgsqlDbType.Varchar);
                await copy.WriteAsync("邻里纠纷", NpgsqlDbType.Varchar);
                await copy.WriteAsync("Low", NpgsqlDbType.Varchar);
                await copy.WriteAsync(0, NpgsqlDbType.Integer);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                await copy.WriteAsync(2, NpgsqlDbType.Integer);
                await copy.WriteAsync("王秀英", NpgsqlDbType.Varchar);
                await copy.WriteAsync(registered, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(registered, NpgsqlDbType.TimestampTz);
                if (deadlines[i] is { } due)
                    await copy.WriteAsync(due, NpgsqlDbType.TimestampTz);
                else
                    await copy.WriteNullAsync();
                await copy.WriteAsync(registered, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(version, NpgsqlDbType.Integer);
                await copy.WriteAsync(MediationDbContext.SortKeyOf(deadlines[i], ids[i]), NpgsqlDbType.Bigint);
            }
            await copy.CompleteAsync();
        }
        return ids;
    }

    /// <summary>Inserts a pending level-deadline timer for each case, due at the case's deadline.</summary>
    public static async Task InsertLevelDeadlinesAsync(NpgsqlConnection connection, IReadOnlyList<long> caseIds, IReadOnlyList<DateTime> dueAt, long unitId)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY case_timers (case_id, kind, due_at, next_attempt_at, level, unit_id, status, attempts) FROM STDIN (FORMAT BINARY)");
        for (var i = 0; i < caseIds.Count; i++)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(caseIds[i], NpgsqlDbType.Bigint);
            await copy.WriteAsync("LevelDeadline", NpgsqlDbType.Varchar);
            await copy.WriteAsync(dueAt[i], NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(dueAt[i], NpgsqlDbType.TimestampTz);
            await copy.WriteAsync("village", NpgsqlDbType.Varchar);
            await copy.WriteAsync(unitId, NpgsqlDbType.Bigint);
            await copy.WriteAsync("Pending", NpgsqlDbType.Varchar);
            await copy.WriteAsync(0, NpgsqlDbType.Integer);
        }
        await copy.CompleteAsync();
    }

    /// <summary>Backfills the per-unit tallies from the inserted cases and refreshes the planner's statistics.</summary>
    public static async Task TallyAndAnalyzeAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO case_tallies (unit_id, level, state, outcome, count) SELECT unit_id, level, state, COALESCE(outcome, ''), COUNT(*) FROM cases GROUP BY 1, 2, 3, 4 " +
            "ON CONFLICT (unit_id, level, state, outcome) DO UPDATE SET count = excluded.count; ANALYZE;", connection);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }
}
