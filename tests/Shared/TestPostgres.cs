using Npgsql;

namespace Mediation.Testing;

/// <summary>
/// The throw-away PostgreSQL cluster the test script starts (MEDIATION_TEST_POSTGRES: a superuser connection string to
/// its maintenance database) and which provider the fixtures run on (MEDIATION_TEST_PROVIDER: sqlite, the default, or
/// postgres). Each host gets a database of its own, created empty and dropped when the host is done.
/// </summary>
public static class TestPostgres
{
    public static string? Server => Environment.GetEnvironmentVariable("MEDIATION_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    /// <summary>Whether the fixtures run on PostgreSQL in this run.</summary>
    public static bool IsProvider =>
        string.Equals(Environment.GetEnvironmentVariable("MEDIATION_TEST_PROVIDER"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>A new empty database on the test cluster; answers its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = Server ?? throw new InvalidOperationException(
            "MEDIATION_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts a throw-away PostgreSQL cluster and sets it.");
        var name = "mediation_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what still holds it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
