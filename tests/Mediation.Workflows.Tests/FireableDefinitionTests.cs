using System.Text.Json.Nodes;
using Mediation.Workflows.Actions;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Validation;

namespace Mediation.Workflows.Tests;

// Whatever the validator accepts must run: every action can be fired, every number stays in range.
public class FireableDefinitionTests
{
    private const string File = "mediation-1-9-n.json";

    private static WorkflowDefinitionError SingleError(string json, WorkflowRule rule)
    {
        var (definition, errors) = WorkflowLoader.Parse(json, File);
        Assert.Null(definition);
        var error = Assert.Single(errors, e => e.Rule == rule);
        Assert.Equal(File, error.File);
        return error;
    }

    [Fact]
    public void UnknownAction_ThatNeedsInput_IsRefused_BecauseNoCommandProvidesIt()
    {
        var json = ShippedDefinition.With(d => d["transitions"]!.AsArray().Add(Transition("orderAppraisal", ["mediating"], "mediating", requires: "reason")));
        var error = SingleError(json, WorkflowRule.ActionCannotFire);
        Assert.Equal("$.transitions[11].requires", error.JsonPath);
        Assert.Contains("'orderAppraisal'", error.Message, StringComparison.Ordinal);
        Assert.Contains("TakeAction", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownAction_WithAnEscalateEffect_IsRefused()
    {
        var json = ShippedDefinition.With(d => d["transitions"]!.AsArray().Add(Transition("handUp", ["mediating"], "pending", effect: "escalate")));
        var error = SingleError(json, WorkflowRule.ActionCannotFire);
        Assert.Equal("$.transitions[11].effect", error.JsonPath);
    }

    [Fact]
    public void UnknownAction_WithNoInputAndNoEffect_IsAGenericAction()
    {
        var json = ShippedDefinition.With(d => d["transitions"]!.AsArray().Add(Transition("noteCall", ["mediating"], "mediating")));
        var (definition, errors) = WorkflowLoader.Parse(json, File);
        Assert.Empty(errors);
        Assert.True(CaseActions.For(definition!.Transitions[^1].Action).IsGeneric);
    }

    [Fact]
    public void KnownAction_DeclaredWithOtherInputsThanItsCommand_IsRefused()
    {
        // ResolveCase carries the agreement, not a reason: the page would show a form the command ignores.
        var json = ShippedDefinition.With(d => d.Transition("resolve")["requires"] = new JsonArray("reason"));
        var error = SingleError(json, WorkflowRule.ActionCannotFire);
        Assert.Equal("$.transitions[4].requires", error.JsonPath);
        Assert.Contains("ResolveCase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Escalate_WithoutItsEffect_IsRefused()
    {
        var json = ShippedDefinition.With(d => d.Transition("escalate").Remove("effect"));
        var error = SingleError(json, WorkflowRule.ActionCannotFire);
        Assert.Equal("$.transitions[6].effect", error.JsonPath);
    }

    [Fact]
    public void Accept_ThatRequiresAReason_IsRefused()
    {
        var json = ShippedDefinition.With(d => d.Transition("accept")["requires"] = new JsonArray("reason"));
        var error = SingleError(json, WorkflowRule.ActionCannotFire);
        Assert.Equal("$.transitions[1].requires", error.JsonPath);
    }

    [Theory]
    [InlineData("suspend")]
    [InlineData("recordFollowUp")]
    [InlineData("escalateOnExpiry")]
    public void ActionNamedLikeAProductHistoryEntry_IsRefused(string action)
    {
        var json = ShippedDefinition.With(d => d["transitions"]!.AsArray().Add(Transition(action, ["mediating"], "mediating")));
        var error = SingleError(json, WorkflowRule.ReservedAction);
        Assert.Equal("$.transitions[11].action", error.JsonPath);
    }

    [Fact]
    public void EveryActionOfTheShippedDefinition_IsKnownToTheRegistry()
    {
        var (definition, _) = WorkflowLoader.Parse(ShippedDefinition.Json, File);
        Assert.All(definition!.Transitions, t => Assert.True(CaseActions.IsKnown(t.Action), t.Action));
    }

    [Theory]
    [InlineData("$.levels[0].timeLimit.days", 2_000_000_000)]
    [InlineData("$.levels[0].timeLimit.days", 3651)]
    [InlineData("$.levels[0].acceptWithin.days", 366)]
    [InlineData("$.followUps[0].afterDays[1]", 100_000)]
    [InlineData("$.followUps[0].graceDays", 1000)]
    [InlineData("$.clock.progressNoticeEveryDays", 400)]
    [InlineData("$.majorDispute.minParties", 1_000_000)]
    [InlineData("$.version", 10_000)]
    public void AbsurdNumber_IsOutOfRange_WithItsPath(string path, int value)
    {
        var json = ShippedDefinition.With(d => Set(d, path, value));
        var error = SingleError(json, WorkflowRule.OutOfRange);
        Assert.Equal(path, error.JsonPath);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongestAllowedTimeLimit_StillGivesADeadline()
    {
        var json = ShippedDefinition.With(d => d.Level("village")["timeLimit"] = new JsonObject { ["days"] = DefinitionBounds.TimeLimitDays.Max, ["counting"] = "workingDays" });
        var (definition, errors) = WorkflowLoader.Parse(json, File);
        Assert.Empty(errors);
        var deadline = Time.WorkingDayCalendar.WeekdaysOnly.Deadline(new DateTime(2026, 3, 2, 0, 0, 0, DateTimeKind.Utc), definition!.Level("village").TimeLimit);
        Assert.True(deadline.Year > 2036);
    }

    [Fact]
    public void MinAmount_BeyondAnySum_IsOutOfRange()
    {
        var json = ShippedDefinition.With(d => d["majorDispute"]!["minAmount"] = 1e20);
        var error = SingleError(json, WorkflowRule.OutOfRange);
        Assert.Equal("$.majorDispute.minAmount", error.JsonPath);
    }

    [Fact]
    public void UnitKind_TheOrgTreeLacks_IsRefused()
    {
        var json = ShippedDefinition.With(d => d.Level("station")["unitKind"] = "townshipOffice");
        var error = SingleError(json, WorkflowRule.UnknownUnitKind);
        Assert.Equal("$.levels[1].unitKind", error.JsonPath);
        Assert.Contains("'townshipOffice'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRiskLevel_IsRefused()
    {
        var json = ShippedDefinition.With(d => d["majorDispute"]!["riskLevels"] = new JsonArray("high", "severe"));
        var error = SingleError(json, WorkflowRule.UnknownRiskLevel);
        Assert.Equal("$.majorDispute.riskLevels[1]", error.JsonPath);
    }

    private static void Set(JsonObject doc, string path, int value)
    {
        // "$.a[0].b.c[1]" → walk to the parent and set the last step.
        var steps = path[2..].Replace("[", ".[", StringComparison.Ordinal).Split('.');
        JsonNode node = doc;
        for (var i = 0; i < steps.Length - 1; i++)
            node = steps[i].StartsWith('[') ? node[int.Parse(steps[i][1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[steps[i]]!;
        var last = steps[^1];
        if (last.StartsWith('['))
            node[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        else
            node[last] = value;
    }

    private static JsonObject Transition(string action, string[] from, string to, string? requires = null, string? effect = null)
    {
        var t = new JsonObject
        {
            ["action"] = action,
            ["title"] = new JsonObject { ["zh"] = action, ["en"] = action },
            ["from"] = new JsonArray(from.Select(f => (JsonNode?)f).ToArray()),
            ["to"] = to,
            ["roles"] = new JsonArray("villageMediator"),
        };
        if (requires is not null)
            t["requires"] = new JsonArray(requires);
        if (effect is not null)
            t["effect"] = effect;
        return t;
    }
}
