using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mediation.Infrastructure.Persistence;

/// <summary>
/// Sets each SQLite connection's durability and checks. Pragmas belong to the native connection, which the
/// driver's pool keeps open across logical opens, so each native connection is set up once.
/// </summary>
internal sealed class SqlitePragmas(SqliteDurability durability) : DbConnectionInterceptor
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> _prepared = [];

    private readonly string _sql =
        $"PRAGMA synchronous={(durability == SqliteDurability.Full ? "FULL" : "NORMAL")}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=1000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!FirstOpen(connection))
            return;
        using var command = connection.CreateCommand();
        command.CommandText = _sql;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!FirstOpen(connection))
            return;
        await using var command = connection.CreateCommand();
        command.CommandText = _sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private bool FirstOpen(DbConnection connection)
    {
        var handle = (object?)((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle ?? connection;
        return _prepared.TryAdd(handle, handle);
    }
}
