using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Workflows.Actions;

namespace Mediation.Application.Features.LiveFeeds;

/// <summary>What a browser can watch live. Notices can join as another feed without the streams changing.</summary>
public enum LiveFeed
{
    /// <summary>A case handed up a level, by a mediator or by its time limit (the petition office's feed).</summary>
    Escalations,

    /// <summary>A major or difficult dispute registered (reported at once under the reporting rule).</summary>
    MajorDisputes,

    /// <summary>A closed case reopened after an unsatisfied or unperformed follow-up.</summary>
    Reopened,
}

public static class LiveFeedNews
{
    /// <summary>The feeds a case event is news for.</summary>
    public static IEnumerable<LiveFeed> Of(CaseEvent e, DisputeCase @case)
    {
        if (CaseActions.EscalationActions.Contains(e.Action))
            yield return LiveFeed.Escalations;
        if (e.Action == CaseActions.Register && @case.IsMajor)
            yield return LiveFeed.MajorDisputes;
        if (e.Action == CaseActions.Reopen)
            yield return LiveFeed.Reopened;
    }
}

/// <summary>The feeds the current command's transaction has news for; published as it commits, forgotten if it does not.</summary>
public sealed class FeedNews
{
    private readonly HashSet<LiveFeed> _pending = [];

    public IReadOnlyCollection<LiveFeed> Pending => _pending;

    public void Saw(CaseEvent e, DisputeCase @case) => _pending.UnionWith(LiveFeedNews.Of(e, @case));

    internal void Clear() => _pending.Clear();
}

/// <summary>
/// How a committed transaction's news reaches the streams waiting on every node. Called inside the transaction just
/// before it commits, so that waiters hear of it only if it commits (PostgreSQL: NOTIFY; one node: after commit).
/// </summary>
public interface ILiveFeedPublisher
{
    Task PublishAsync(MediationDbContext db, IReadOnlyCollection<LiveFeed> feeds, AfterCommit afterCommit, CancellationToken cancellationToken);
}

/// <summary>One node on its own database (SQLite): the streams on this process are woken once the transaction has committed.</summary>
public sealed class InProcessFeedPublisher(LiveFeedSignals signals) : ILiveFeedPublisher
{
    public Task PublishAsync(MediationDbContext db, IReadOnlyCollection<LiveFeed> feeds, AfterCommit afterCommit, CancellationToken cancellationToken)
    {
        var committed = feeds.ToArray();
        afterCommit.Add(() =>
        {
            foreach (var feed in committed)
                signals.Wake(feed);
        });
        return Task.CompletedTask;
    }
}

/// <summary>
/// What the open streams of this node sleep on: one signal per feed, replaced each time it fires. A stream takes
/// <see cref="Next"/> before it reads, so news that commits between its read and its wait still wakes it.
/// </summary>
public sealed class LiveFeedSignals
{
    private readonly TaskCompletionSource[] _next = Enum.GetValues<LiveFeed>().Select(_ => Fresh()).ToArray();

    /// <summary>Completes at the next news on the feed after this call.</summary>
    public Task Next(LiveFeed feed) => Volatile.Read(ref _next[(int)feed]).Task;

    public void Wake(LiveFeed feed) =>
        Interlocked.Exchange(ref _next[(int)feed], Fresh()).TrySetResult();

    /// <summary>Every stream reads again, e.g. after this node could not hear news for a while.</summary>
    public void WakeAll()
    {
        foreach (var feed in Enum.GetValues<LiveFeed>())
            Wake(feed);
    }

    private static TaskCompletionSource Fresh() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
