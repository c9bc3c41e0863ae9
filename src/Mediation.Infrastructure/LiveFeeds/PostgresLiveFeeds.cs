using Mediation.Application.Features.LiveFeeds;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mediation.Infrastructure.LiveFeeds;

/// <summary>
/// Several nodes on one PostgreSQL database: a transaction with news issues NOTIFY on its own connection, which
/// PostgreSQL delivers to every listening node only when (and if) that transaction commits.
/// </summary>
public sealed class PostgresFeedPublisher : ILiveFeedPublisher
{
    public const string Channel = "mediation_feeds";

    public async Task PublishAsync(MediationDbContext db, IReadOnlyCollection<LiveFeed> feeds, AfterCommit afterCommit, CancellationToken cancellationToken)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = string.Join("; ", feeds.Select((_, i) => $"SELECT pg_notify('{Channel}', @f{i})"));
        foreach (var (feed, i) in feeds.Select((f, i) => (f, i)))
            command.Parameters.Add(new NpgsqlParameter($"f{i}", feed.ToString()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>
/// One LISTEN connection per node: each notification wakes the streams of its feed on this node. When the connection
/// fails, the node reconnects at once, then after a growing pause while it keeps failing, and wakes every stream once
/// it listens again, so news sent meanwhile is read.
/// </summary>
public sealed class PostgresFeedListener(MediationOptions options, LiveFeedSignals signals, TimeProvider clock, ILogger<PostgresFeedListener> logger) : BackgroundService
{
    /// <summary>The listening connection's name in pg_stat_activity.</summary>
    public const string ApplicationName = "mediation-feed-listener";

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A pooled connection would be reset (UNLISTEN) when returned; the keep-alive notices a server that went away.
        var connectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Pooling = false, KeepAlive = 10, ApplicationName = ApplicationName }.ToString();
        var pause = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, notification) =>
                {
                    if (Enum.TryParse<LiveFeed>(notification.Payload, out var feed) && Enum.IsDefined(feed))
                        signals.Wake(feed);
                };
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresFeedPublisher.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                signals.WakeAll();
                pause = TimeSpan.Zero;
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException lost)
            {
                logger.LogWarning(lost, "The live-feed connection to PostgreSQL failed; listening again in {Pause}", pause);
                if (pause > TimeSpan.Zero)
                    await Task.Delay(pause, clock, stoppingToken);
                pause = pause == TimeSpan.Zero ? FirstPause : pause * 2 > LongestPause ? LongestPause : pause * 2;
            }
        }
    }
}
