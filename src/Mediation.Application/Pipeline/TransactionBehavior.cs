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
        catch (DbUpdateConcurrencyException ex)
        {
            var entry = ex.Entries.Select(e => e.Entity).OfType<DisputeCase>().FirstOrDefault();
            var stored = entry is null ? null : await db.Cases.AsNoTracking().Where(c => c.Id == entry.Id).Select(c => (int?)c.Version).FirstOrDefaultAsync(CancellationToken.None);
            throw new ConcurrentEditException(entry?.CaseNumber ?? "?", (entry?.Version ?? 1) - 1, stored ?? 0);
        }
        finally
        {
            // A failed command must leave nothing half-tracked for the next one in this scope.
            db.ChangeTracker.Clear();
        }
    }
}
