using Mediation.Application.Features.Administration.AuditTrail;
using MediatR;

namespace Mediation.Web.Api;

/// <summary>操作审计: the administration changes, newest first, as an administrator may see them.</summary>
public static class AdminAuditEndpoints
{
    public static void MapAdminAudit(this IEndpointRouteBuilder admin) =>
        admin.MapGet("/audit", (string? kind, long? actorId, DateOnly? from, DateOnly? to, long? before, int? limit, IMediator m, CancellationToken ct) =>
                m.Send(new ListAdminAudit(kind, actorId, from, to, before, limit ?? 50), ct))
            .WithSummary("Administration changes (accounts, units, streets, workflow versions): who, when, each changed field before and after; filter by kind, actor and China dates, page with before=nextBefore.")
            .ProducesValidationProblem(422);
}
