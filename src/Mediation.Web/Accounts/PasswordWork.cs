using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mediation.Web.Accounts;

/// <summary>
/// Password hashing (~60-100 ms of CPU each) on its own low-priority threads, half the cores at most, each resting as
/// long as it worked: sign-in loops then neither starve the thread pool that serves the work nor take its cores.
/// </summary>
public sealed class PasswordWork : IDisposable
{
    private readonly BlockingCollection<Action> _queue = [];
    private readonly Thread[] _threads;
    private readonly TimeSpan _stopWaiting;

    public PasswordWork()
        : this(TimeSpan.FromSeconds(5))
    {
    }

    internal PasswordWork(TimeSpan stopWaiting)
    {
        _stopWaiting = stopWaiting;
        _threads = [.. Enumerable.Range(0, Math.Max(1, Environment.ProcessorCount / 2)).Select(i => new Thread(Run)
        {
            IsBackground = true,
            Name = $"password hashing {i + 1}",
            Priority = ThreadPriority.BelowNormal,
        })];
        foreach (var thread in _threads)
            thread.Start();
    }

    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
        {
            try
            {
                result.SetResult(work());
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Handed to the awaiting request, which fails with it.
                result.SetException(ex);
            }
        }, cancellationToken);
        return result.Task.WaitAsync(cancellationToken);
    }

    private void Run()
    {
        // .NET ignores thread priorities on Linux; a nice value per thread is what the scheduler honours.
        if (OperatingSystem.IsLinux())
            _ = SetPriority(0, GetThreadId(), 19);
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            var started = Stopwatch.GetTimestamp();
            work();
            // At most half of one core: a queue of sign-ins waits a little longer, the work around it does not.
            Thread.Sleep(Stopwatch.GetElapsedTime(started));
        }
    }

    [DllImport("libc", EntryPoint = "setpriority")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetThreadId();

    public void Dispose()
    {
        _queue.CompleteAdding();
        var stopped = _threads.All(thread => thread.Join(_stopWaiting));
        // A thread still hashing or resting ends by itself once the queue is drained; disposing the queue under it
        // would throw on that thread and take the whole process down.
        if (stopped)
            _queue.Dispose();
    }
}
