using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mediation.Testing;

/// <summary>
/// A connection of its own to a test host's database, outside the product's pool, as another process (a console, a
/// backup script, <c>admin create</c>) would open one: on PostgreSQL when the host runs there, else on its SQLite file.
/// </summary>
public static class TestDatabase
{
    public static async Task<DbConnection> OpenAsync(string? postgres, string sqliteFile)
    {
        DbConnection connection = postgres is { } server
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ToString())
            : new SqliteConnection($"Data Source={sqliteFile};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs SQL that both providers read alike; parameters are named <c>@name</c>.</summary>
    public static async Task<int> ExecuteAsync(this DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return await command.ExecuteNonQueryAsync();
    }
}
