using Mediation.Application.Features.Cases;
using Mediation.Application.Features.Org;
using Mediation.Application.Persistence;
using Mediation.Application.Pipeline;
using Mediation.Domain.Cases;
using Mediation.Infrastructure;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Mediation.Application.Tests;

/// <summary>
/// Two application nodes on one database (the run's provider), each with its own write gate: nothing in-process
/// serializes them, only the database's locks (SQLite's file lock, PostgreSQL's row locks) and the case's version.
/// </summary>
public class VersionRaceTests
{
    [Fact]
    public async Task TwoNodesRecordASessionAtTheSameInstant_OneWins_TheOtherIsToldTheCaseChanged()
    {
        await using var host = await MediationHost.StartAsync();
        var mediating = await Disputes.RegisterAndStartMediation(host, "cun01-1");
        var startLine = new StartLine(2);
        await using var nodeA = Node(host, startLine);
        await using var nodeB = Node(host, startLine);

        // Both mediators of the point saw the same version; both nodes pass their own gate and go for the file together.
        // On the thread pool, as requests are: SQLite's busy wait blocks its thread, which must not be the test's own.
        var first = Task.Run(() => SendAs(nodeA, "cun01-1", Disputes.Session(host, mediating) with { Summary = "第二次调解：甲方意见" }));
        var second = Task.Run(() => SendAs(nodeB, "cun01-2", Disputes.Session(host, mediating) with { Summary = "第二次调解：乙方意见" }));
        var outcomes = await Task.WhenAll(Settle(first), Settle(second));

        Assert.Equal(2, startLine.Crossed);
        Assert.Single(outcomes, o => o is null);
        var conflict = Assert.IsType<ConcurrentEditException>(Assert.Single(outcomes, o => o is not null));
        Assert.Equal((mediating.Version, mediating.Version + 1), (conflict.ExpectedVersion, conflict.ActualVersion));

        var (stored, events, sessions) = await host.Query(async db => (
            await db.Cases.AsNoTracking().SingleAsync(c => c.Id == mediating.CaseId),
            await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == mediating.CaseId).ToListAsync(),
            await db.Sessions.CountAsync(s => s.CaseId == mediating.CaseId)));
        Assert.Equal((mediating.Version + 1, mediating.Version + 1, 2), (stored.Version, events.Count, sessions));
        Assert.Single(events, e => e.Sequence == mediating.Version + 1);
        Assert.Equal(new CaseSnapshot(stored.State, stored.Level, stored.UnitId, stored.Outcome, stored.Version), CaseHistory.Replay(events));
    }

    [Fact]
    public async Task TwoNodesLoadTheSameVersion_ThenWriteAtTheSameInstant_TheVersionedUpdateLetsOneThrough()
    {
        // What PostgreSQL's read-committed nodes do: both read version 1 before either writes, so only the UPDATE's
        // version condition stands between them and a lost update.
        await using var host = await MediationHost.StartAsync();
        var registered = await host.SendAs("cun01-1", Disputes.Neighbour());
        await using var nodeA = Node(host, null);
        await using var nodeB = Node(host, null);
        await using var scopeA = nodeA.CreateAsyncScope();
        await using var scopeB = nodeB.CreateAsyncScope();
        var loadedA = await Load(scopeA.ServiceProvider, "cun01-1", registered.CaseId, (c, change) => c.Accept(change.Workflow, change.Calendar, change.Actor, 1, change.Now));
        var loadedB = await Load(scopeB.ServiceProvider, "cun01-2", registered.CaseId, (c, change) => c.Decline(change.Workflow, change.Calendar, change.Actor, 1, "已起诉至法院", change.Now));

        var startLine = new StartLine(2);
        var outcomes = await Task.WhenAll(
            Settle(Task.Run(() => Write(scopeA.ServiceProvider, loadedA, startLine))),
            Settle(Task.Run(() => Write(scopeB.ServiceProvider, loadedB, startLine))));

        Assert.Single(outcomes, o => o is null);
        var conflict = Assert.IsType<ConcurrentEditException>(Assert.Single(outcomes, o => o is not null));
        Assert.Equal((1, 2), (conflict.ExpectedVersion, conflict.ActualVersion));
        var (stored, events) = await host.Query(async db => (
            await db.Cases.AsNoTracking().SingleAsync(c => c.Id == registered.CaseId),
            await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == registered.CaseId).ToListAsync()));
        Assert.Equal((2, 2), (stored.Version, events.Count));
        Assert.Equal(new CaseSnapshot(stored.State, stored.Level, stored.UnitId, stored.Outcome, stored.Version), CaseHistory.Replay(events));
    }

    // A second set of the product's services on the host's database: its own pool, its own write gate, its own case store.
    private static ServiceProvider Node(MediationHost host, StartLine? startLine)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(host.Clock);
        services.AddMediation(host.NodeOptions());
        services.AddSingleton<Features.Administration.IPasswordHashing, IdentityHashing>();
        if (startLine is not null)
        {
            // Just outside the transaction behaviour: past validation, before the gate and BEGIN IMMEDIATE.
            var transaction = services.Select((d, i) => (d, i)).Single(x => x.d.ImplementationType == typeof(TransactionBehavior<,>)).i;
            services.AddSingleton(startLine);
            services.Insert(transaction, ServiceDescriptor.Scoped(typeof(IPipelineBehavior<,>), typeof(StartLineBehavior<,>)));
        }
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    private static async Task<T> SendAs<T>(IServiceProvider node, string userName, IRequest<T> request)
    {
        await using var scope = node.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MediationDbContext>();
        var actor = await StaffDirectory.FindActorAsync(db, userName) ?? throw new InvalidOperationException($"No demo account '{userName}'.");
        scope.ServiceProvider.GetRequiredService<ActorContext>().Use(actor);
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    private static async Task<DisputeCase> Load(IServiceProvider scope, string userName, long caseId, Action<DisputeCase, CaseChange> change)
    {
        var db = scope.GetRequiredService<MediationDbContext>();
        var actor = await StaffDirectory.FindActorAsync(db, userName) ?? throw new InvalidOperationException($"No demo account '{userName}'.");
        var @case = await scope.GetRequiredService<CaseStore>().FindAsync(caseId, default) ?? throw new InvalidOperationException($"No case {caseId}.");
        var workflows = scope.GetRequiredService<Features.Workflow.WorkflowCatalog>();
        change(@case, new CaseChange(workflows.For(@case), workflows.Calendar, actor, scope.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime));
        return @case;
    }

    private static async Task Write(IServiceProvider scope, DisputeCase @case, StartLine startLine)
    {
        var db = scope.GetRequiredService<MediationDbContext>();
        await startLine.CrossAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await scope.GetRequiredService<CaseStore>().SaveAsync(@case, default);
        await transaction.CommitAsync();
    }

    private static async Task<Exception?> Settle(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (DomainRuleException ex)
        {
            return ex;
        }
    }
}

/// <summary>Holds each runner until all have arrived, then lets them go at once.</summary>
internal sealed class StartLine(int runners)
{
    private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public int Crossed => Volatile.Read(ref _arrived);

    public Task CrossAsync()
    {
        if (Interlocked.Increment(ref _arrived) == runners)
            _go.SetResult();
        return _go.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}

internal sealed class StartLineBehavior<TRequest, TResponse>(StartLine startLine) : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is ICaseCommand)
            await startLine.CrossAsync();
        return await next();
    }
}
