using Mediation.Application.Features.LiveFeeds;
using Mediation.Application.Persistence;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Pipeline;

/// <summary>
/// Every command is one transaction: the change, its case event, tallies, notices and idempotency record
/// commit together or not at all. (A lost race on a case's version is caught by the case store's versioned update.)
/// </summary>
internal sealed class TransactionBehavior<TRequest, TResponse>(MediationDbContext db, WriteGate gate, AfterCommit afterCommit, FeedNews news, ILiveFeedPublisher feeds)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not ICommand)
            return await next();

        using var writer = await gate.EnterAsync(cancellationToken);
        try
        {
            // The whole command is one transaction, so EF's savepoint around each save inside it buys nothing.
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            try
            {
                var response = await next();
                if (db.ChangeTracker.HasChanges())
                    await db.SaveChangesAsync(cancellationToken);
                if (news.Pending.Count > 0)
                    await feeds.PublishAsync(db, news.Pending, afterCommit, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                afterCommit.Run();
                return response;
            }
            finally
            {
                // A failed command must leave nothing half-tracked for the next one in this scope.
                db.ChangeTracker.Clear();
                afterCommit.Discard();
                news.Clear();
            }
        }
        catch (Exception ex) when (ex is not DatabaseBusyException && gate.IsBusy(ex))
        {
            // Another process holds the write lock: say so (503, retry) rather than fail as if the request were wrong.
            throw gate.AsBusy(ex)!;
        }
    }

}
