using Mediation.Application.Features.Intake;
using Mediation.Application.Pipeline;
using Mediation.Web.Accounts;
using MediatR;

namespace Mediation.Web.Api;

/// <summary>Intake from other systems (12345 热线, 部门转办) with an API key, and its administration.</summary>
public static class IntakeEndpoints
{
    public static void MapIntake(this IEndpointRouteBuilder app)
    {
        var intake = app.MapGroup("/api/intake").WithTags("Intake")
            .RequireAuthorization(ApiKeyAuthentication.Policy).RequireRateLimiting(ApiKeyAuthentication.RatePolicy);
        intake.MapPost("/cases", async (RegisterIntakeCase body, IMediator m, CancellationToken ct) =>
            {
                var registered = await m.Send(body, ct);
                return Results.Created($"/api/intake/cases/{Uri.EscapeDataString(registered.ExternalReference)}", registered);
            })
            .WithSummary("Register a dispute at the system account's unit with the other system's reference (Authorization: Bearer mk_…; Idempotency-Key makes a retry harmless).")
            .Produces<IntakeCaseRegistered>(StatusCodes.Status201Created).ProducesValidationProblem(422);
        intake.MapGet("/cases/{externalReference}", (string externalReference, IMediator m, CancellationToken ct) => m.Send(new GetIntakeCaseStatus(externalReference), ct))
            .WithSummary("The state of a case this system account registered: case number, state, level, unit, last change.").ProducesProblem(404);
    }

    public static void MapIntakeAdmin(this IEndpointRouteBuilder admin)
    {
        var intake = admin.MapGroup("/intake");
        intake.MapGet("/accounts", (IMediator m, CancellationToken ct) => m.Send(new ListSystemAccounts(), ct)).WithSummary("System accounts and their keys (prefixes only).");
        intake.MapPost("/accounts", (CreateSystemAccount body, IMediator m, CancellationToken ct) => m.Send(body, ct))
            .WithSummary("Open a system account that registers into a unit.").ProducesValidationProblem(422);
        intake.MapPost("/accounts/{id:long}/keys", (long id, IMediator m, ActorContext actors, CancellationToken ct) =>
            {
                // A remembered answer would keep the secret in the idempotency table: issuing is never replayed.
                actors.IdempotencyKey = null;
                return m.Send(new IssueApiKey(id), ct);
            })
            .WithSummary("Issue a key; the secret is shown in this answer only.");
        intake.MapPost("/keys/{id:long}/revocation", (long id, IMediator m, CancellationToken ct) => m.Send(new RevokeApiKey(id), ct))
            .WithSummary("Revoke a key: its next request is refused.");
    }
}
