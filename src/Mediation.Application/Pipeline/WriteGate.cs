namespace Mediation.Application.Pipeline;

/// <summary>
/// Funnels writes to one at a time where the database wants a single writer (SQLite): two writer connections
/// contending would stall in the driver's busy retry (~150 ms) instead of queueing here in microseconds.
/// On PostgreSQL it lets everything through; row versions and unique keys keep writers honest there.
/// The wait is bounded: when the database is locked from outside, queued writes fail fast instead of piling up.
/// </summary>
public sealed class WriteGate(bool serializeWrites, TimeSpan? maxWait = null, Func<Exception, bool>? isBusy = null) : IDisposable
{
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);

    public bool SerializesWrites { get; } = serializeWrites;

    public TimeSpan MaxWait { get; } = maxWait ?? DefaultMaxWait;

    /// <summary>How long a refused writer is told to wait before trying again.</summary>
    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(5);

    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (!SerializesWrites)
            return NoLock.Instance;
        if (!await _gate.WaitAsync(MaxWait, cancellationToken))
            throw new DatabaseBusyException($"Other writes have held the database for over {MaxWait.TotalSeconds:0} s; nothing was written. Try again shortly.", RetryAfter);
        return new Releaser(_gate);
    }

    /// <summary>Whether a failure (or one it wraps) is the database refusing a write because someone else holds its lock.</summary>
    public bool IsBusy(Exception exception)
    {
        if (isBusy is null)
            return false;
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (isBusy(e))
                return true;
        }
        return false;
    }

    /// <summary>The failure as the product reports it when the database is held by someone else, else null.</summary>
    public DatabaseBusyException? AsBusy(Exception exception) =>
        exception is DatabaseBusyException busy ? busy
        : IsBusy(exception) ? new DatabaseBusyException("The database is locked by another process; nothing was written. Try again shortly.", RetryAfter, exception)
        : null;

    public void Dispose() => _gate.Dispose();

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                gate.Release();
        }
    }

    private sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();

        public void Dispose()
        {
        }
    }
}
