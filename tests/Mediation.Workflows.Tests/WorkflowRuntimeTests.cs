using Mediation.Workflows.Definitions;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Time;

namespace Mediation.Workflows.Tests;

public class WorkflowRuntimeTests
{
    private static readonly WorkflowDefinition Workflow = WorkflowLoader.LoadDirectory(ShippedDefinition.Folder).Latest("mediation-1-9-n");

    [Fact]
    public void EveryFileUnderWorkflows_LoadsAndValidates()
    {
        var registry = WorkflowLoader.LoadDirectory(ShippedDefinition.Folder);
        Assert.NotEmpty(registry.All);
        var calendar = WorkingDayCalendar.Parse(File.ReadAllText(Path.Combine(ShippedDefinition.Folder, "calendars", "cn-working-days.json")));
        Assert.Equal([2025, 2026], calendar.YearsCovered);
    }

    [Fact]
    public void Escalate_IsOfferedBelowTheTop_AndReferOutOnlyAtTheCenter()
    {
        Assert.Contains("escalate", Workflow.AllowedActions("mediating", "village", "villageMediator"));
        Assert.DoesNotContain("referOut", Workflow.AllowedActions("mediating", "village", "villageMediator"));
        Assert.DoesNotContain("escalate", Workflow.AllowedActions("mediating", "center", "centerMediator"));
        Assert.Contains("referOut", Workflow.AllowedActions("failed", "center", "centerMediator"));
    }

    [Fact]
    public void PetitionOffice_MayFireNothing()
    {
        foreach (var state in Workflow.States)
        {
            foreach (var level in Workflow.Levels)
                Assert.Empty(Workflow.AllowedActions(state.Id, level.Id, "petitionOffice"));
        }
    }

    [Theory]
    [InlineData(4, "499999", "medium", false)]
    [InlineData(5, null, "low", true)]
    [InlineData(1, "500000", "low", true)]
    [InlineData(1, null, "high", true)]
    public void MajorDisputeRule_ComesFromTheDefinition(int parties, string? amount, string risk, bool major) =>
        Assert.Equal(major, Workflow.MajorDispute.IsMetBy(parties, amount is null ? null : decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), risk));
}
