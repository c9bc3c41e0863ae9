using Mediation.Web.Accounts;

namespace Mediation.Web.Tests;

public sealed class PasswordWorkTests
{
    // Seen in CI: the host stopped while a hash was still running, the queue was disposed under the hashing thread, and
    // the exception on that thread took the whole test host down.
    [Fact]
    public async Task Stopping_WhileAHashStillRuns_LetsItFinish_AndCrashesNothing()
    {
        var crashed = new List<Exception>();
        UnhandledExceptionEventHandler record = (_, e) => crashed.Add((Exception)e.ExceptionObject);
        AppDomain.CurrentDomain.UnhandledException += record;
        try
        {
            var work = new PasswordWork(TimeSpan.FromMilliseconds(50));
            using var started = new ManualResetEventSlim();
            var hash = work.RunAsync(() =>
            {
                started.Set();
                Thread.Sleep(400);
                return "hashed";
            }, CancellationToken.None);
            started.Wait(TimeSpan.FromSeconds(10));

            work.Dispose();

            Assert.Equal("hashed", await hash.WaitAsync(TimeSpan.FromSeconds(10)));
            // The thread rests as long as it worked, then looks at the queue again: give it that long and a little more.
            await Task.Delay(1000);
            Assert.Empty(crashed);
        }
        finally
        {
            AppDomain.CurrentDomain.UnhandledException -= record;
        }
    }
}
