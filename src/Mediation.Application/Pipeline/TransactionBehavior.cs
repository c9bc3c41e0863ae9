using Mediation.Application.Persistence;
using Mediation.Domain.Cases;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Pipeline;

/// <summary>
/// Every command is one transaction: the change, its case event, tallies, notices and idempotency record
/// commit together or not at all. A lost race on a case's version becomes a conflict, never a silent overwrite.
/// </summary>
internal sealed class TransactionBehavior<TRequest, TResponse>(MediationDbContext db, WriteGate gate)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is not ICommand)
            return await next();

        using var writer = await gate.EnterAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var response = await next();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return response;
        }
        catch (DbUpdateException ex) when (CaseIn(ex) is { } @case)
        {
            // Another writer (another node, or one that bypassed the gate) changed the case first: the version
            // token or the (case, sequence) key stopped this write. Compare versions to tell that from other failures.
            var startedFrom = db.Entry(@case).Property(c => c.Version).OriginalValue;
            await transaction.RollbackAsync(CancellationToken.None);
            var stored = await db.Cases.AsNoTracking().Where(c => c.Id == @case.Id).Select(c => (int?)c.Version).FirstOrDefaultAsync(CancellationToken.None);
            if (stored is { } now && now != startedFrom)
                throw new ConcurrentEditException(@case.CaseNumber, startedFrom, now);
            throw;
        }
        finally
        {
            // A failed command must leave nothing half-tracked for the next one in this scope.
            db.ChangeTracker.Clear();
        }
    }

    private static DisputeCase? CaseIn(DbUpdateException ex) =>
        ex.Entries.Select(e => e.Entity switch
        {
            DisputeCase c => c,
            CaseEvent e2 => e2.Case,
            _ => null,
        }).FirstOrDefault(c => c is not null);
}
