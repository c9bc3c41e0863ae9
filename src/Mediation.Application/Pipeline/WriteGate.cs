namespace Mediation.Application.Pipeline;

/// <summary>
/// Funnels writes to one at a time where the database wants a single writer (SQLite): two writer connections
/// contending would stall in the driver's busy retry (~150 ms) instead of queueing here in microseconds.
/// On PostgreSQL it lets everything through; row versions and unique keys keep writers honest there.
/// </summary>
public sealed class WriteGate(bool serializeWrites) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public bool SerializesWrites { get; } = serializeWrites;

    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        if (!SerializesWrites)
            return NoLock.Instance;
        await _gate.WaitAsync(cancellationToken);
        return new Releaser(_gate);
    }

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
