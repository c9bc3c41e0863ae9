using Mediation.Application.Persistence;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Mediation.Application.Pipeline;

/// <summary>
/// Org scope, enforced for every request: a case outside the actor's subtree does not exist for them (404);
/// a case they may read but their unit does not hold cannot be changed by them (403).
/// </summary>
internal sealed class AccessBehavior<TRequest, TResponse>(MediationDbContext db, CaseStore cases, ActorContext actors)
    : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        var actor = actors.Current;
        if (request is IRoleRestricted { AllowedRoles.Count: > 0 } restricted && !restricted.AllowedRoles.Contains(actor.Role))
            throw new AccessDeniedException($"The role '{actor.Role}' may not do this.");

        if (request is ICaseCommand command)
        {
            // Loaded through the store: the handler then gets this same instance without a second read.
            var @case = await cases.FindAsync(command.CaseId, cancellationToken);
            if (@case is null || !actor.MayRead(@case.UnitPath))
                throw new NotFoundException($"Case {command.CaseId}");
            if (!actor.MayActOn(@case.UnitId))
                throw new AccessDeniedException($"Case {@case.CaseNumber} is held by another unit; only that unit acts on it.");
        }
        else if (request is ICaseRequest query)
        {
            // 首问负责: whoever first received a case keeps following it after it is handed up, to keep the resident informed.
            var found = await db.Cases.AsNoTracking().Where(c => c.Id == query.CaseId).Select(c => new { c.UnitPath, c.FirstResponsibleId }).FirstOrDefaultAsync(cancellationToken);
            if (found is null || !(actor.MayRead(found.UnitPath) || found.FirstResponsibleId == actor.StaffId))
                throw new NotFoundException($"Case {query.CaseId}");
        }
        return await next();
    }
}
