using Mediation.Application.Features.Workflow.Migrations;
using MediatR;

namespace Mediation.Web.Api;

/// <summary>定义迁移: moving running cases to a new workflow version by a migration file beside it.</summary>
public static class WorkflowMigrationEndpoints
{
    public static void MapWorkflowMigrations(this IEndpointRouteBuilder admin)
    {
        var migrations = admin.MapGroup("/workflow-migrations");
        migrations.MapGet("", (IMediator m, CancellationToken ct) => m.Send(new ListWorkflowMigrations(), ct))
            .WithSummary("The migration files beside the definitions, with how many of your cases each would move.");
        migrations.MapPost("/{id}/preview", (string id, IMediator m, CancellationToken ct) => m.Send(new PreviewWorkflowMigration(id), ct))
            .WithSummary("What applying the migration now would do: cases per state moved where, deadlines and timers that change, cases refused and why. Changes nothing.");
        migrations.MapPost("/{id}/apply", (string id, IMediator m, CancellationToken ct) => m.Send(new ApplyWorkflowMigration(id), ct))
            .WithSummary("Move the cases as the preview says, in one transaction; a second apply moves nothing more.");
    }
}
