using Mediation.Domain.Cases;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Migrations;
using Mediation.Workflows.Time;

namespace Mediation.Application.Features.Workflow;

/// <summary>The loaded workflow definitions and the working-day calendar their deadlines are counted on.</summary>
public sealed class WorkflowCatalog(WorkflowRegistry registry, WorkingDayCalendar calendar, string defaultKey)
{
    public WorkflowRegistry Registry { get; } = registry;
    public WorkingDayCalendar Calendar { get; } = calendar;

    /// <summary>The migration files beside the definitions, checked against them at start-up.</summary>
    public MigrationCatalog Migrations { get; init; } = MigrationCatalog.Empty;

    /// <summary>The definition new cases are registered under: the latest version of the default key.</summary>
    public WorkflowDefinition Current => Registry.Latest(defaultKey);

    /// <summary>The version a case pinned when it was registered.</summary>
    public WorkflowDefinition For(DisputeCase @case) => Registry.Get(@case.WorkflowKey, @case.WorkflowVersion);
}
