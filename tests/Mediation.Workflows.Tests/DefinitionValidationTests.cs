using System.Text.Json.Nodes;
using Mediation.Workflows.Loading;
using Mediation.Workflows.Validation;

namespace Mediation.Workflows.Tests;

public class DefinitionValidationTests
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
    public void ShippedDefinition_IsValid()
    {
        var (definition, errors) = WorkflowLoader.Parse(ShippedDefinition.Json, File);
        Assert.Empty(errors);
        Assert.NotNull(definition);
        Assert.Equal(["village", "station", "center"], definition.Levels.Select(l => l.Id));
    }

    [Fact]
    public void UnknownState_InFrom_IsNamedWithItsPath()
    {
        var json = ShippedDefinition.With(d => d.Transition("accept")["from"] = new JsonArray("pendng"));
        var error = SingleError(json, WorkflowRule.UnknownState);
        Assert.Equal("$.transitions[1].from[0]", error.JsonPath);
        Assert.Contains("pendng", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransitionToNowhere_WhenTargetIsNotAState()
    {
        var json = ShippedDefinition.With(d => d.Transition("resolve")["to"] = "settled");
        var error = SingleError(json, WorkflowRule.TransitionToNowhere);
        Assert.Equal("$.transitions[4].to", error.JsonPath);
        Assert.Contains("'settled'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TransitionToNowhere_WhenTargetIsMissing()
    {
        var json = ShippedDefinition.With(d => d.Transition("close").Remove("to"));
        var error = SingleError(json, WorkflowRule.TransitionToNowhere);
        Assert.Equal("$.transitions[9].to", error.JsonPath);
    }

    [Fact]
    public void UnreachableState_IsReported()
    {
        var json = ShippedDefinition.With(d => d["states"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "archived",
            ["title"] = new JsonObject { ["zh"] = "已归档", ["en"] = "Archived" },
            ["final"] = true,
        }));
        var error = SingleError(json, WorkflowRule.UnreachableState);
        Assert.Equal("$.states[9]", error.JsonPath);
        Assert.Contains("'archived'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("states", "$.states[1].id")]
    [InlineData("transitions", "$.transitions[1].action")]
    [InlineData("roles", "$.roles[1].id")]
    [InlineData("levels", "$.levels[1].id")]
    public void DuplicateId_IsReported(string section, string expectedPath)
    {
        var idField = section == "transitions" ? "action" : "id";
        var json = ShippedDefinition.With(d =>
        {
            var items = d[section]!.AsArray();
            items[1]![idField] = (string?)items[0]![idField];
        });
        var (_, errors) = WorkflowLoader.Parse(json, File);
        var error = Assert.Single(errors, e => e.Rule == WorkflowRule.DuplicateId);
        Assert.Equal(expectedPath, error.JsonPath);
    }

    [Fact]
    public void LevelWithoutTimeLimit_IsReported()
    {
        var json = ShippedDefinition.With(d => d.Level("station").Remove("timeLimit"));
        var error = SingleError(json, WorkflowRule.LevelWithoutTimeLimit);
        Assert.Equal("$.levels[1].timeLimit", error.JsonPath);
        Assert.Contains("'station'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NeverEndingCycle_WhenStatesOnlyLeadToEachOther()
    {
        // "appraisal" and "reappraisal" send a case back and forth with no way to any final state.
        var json = ShippedDefinition.With(d =>
        {
            var states = d["states"]!.AsArray();
            states.Add(new JsonObject { ["id"] = "appraisal", ["title"] = new JsonObject { ["zh"] = "鉴定中", ["en"] = "Appraisal" } });
            states.Add(new JsonObject { ["id"] = "reappraisal", ["title"] = new JsonObject { ["zh"] = "重新鉴定", ["en"] = "Reappraisal" } });
            var transitions = d["transitions"]!.AsArray();
            transitions.Add(Transition("sendToAppraisal", ["mediating"], "appraisal"));
            transitions.Add(Transition("appraiseAgain", ["appraisal"], "reappraisal"));
            transitions.Add(Transition("backToAppraisal", ["reappraisal"], "appraisal"));
        });
        var (_, errors) = WorkflowLoader.Parse(json, File);
        var cycles = errors.Where(e => e.Rule == WorkflowRule.NeverEndingCycle).ToList();
        Assert.Equal(["$.states[9]", "$.states[10]"], cycles.Select(e => e.JsonPath));
        Assert.Contains("appraisal, reappraisal", cycles[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownRole_IsReported()
    {
        var json = ShippedDefinition.With(d => d.Transition("escalate")["roles"] = new JsonArray("villageMediator", "townMayor"));
        var error = SingleError(json, WorkflowRule.UnknownRole);
        Assert.Equal("$.transitions[6].roles[1]", error.JsonPath);
        Assert.Contains("'townMayor'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownLevel_InEscalationTarget_IsReported()
    {
        var json = ShippedDefinition.With(d => d.Level("village")["escalatesTo"] = "county");
        var error = SingleError(json, WorkflowRule.UnknownLevel);
        Assert.Equal("$.levels[0].escalatesTo", error.JsonPath);
    }

    [Fact]
    public void EscalatingDownwards_IsRefused()
    {
        var json = ShippedDefinition.With(d => d.Level("station")["escalatesTo"] = "village");
        var error = SingleError(json, WorkflowRule.InvalidEscalation);
        Assert.Equal("$.levels[1].escalatesTo", error.JsonPath);
    }

    [Fact]
    public void NoRegistration_WhenEveryTransitionHasASource()
    {
        var json = ShippedDefinition.With(d => d.Transition("register")["from"] = new JsonArray("closed"));
        var error = SingleError(json, WorkflowRule.NoRegistration);
        Assert.Equal("$.transitions", error.JsonPath);
    }

    [Fact]
    public void InvalidJson_NamesLineAndPosition()
    {
        var error = SingleError("{ \"key\": \"x\", \"version\": }", WorkflowRule.InvalidJson);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownField_IsInvalidJson_SoTyposDoNotPassSilently()
    {
        var json = ShippedDefinition.With(d => d.Level("village")["timelimit"] = 3);
        var (_, errors) = WorkflowLoader.Parse(json, File);
        Assert.Contains(errors, e => e.Rule == WorkflowRule.InvalidJson && e.JsonPath.Contains("timelimit", StringComparison.Ordinal));
    }

    [Fact]
    public void SameKeyAndVersionInTwoFiles_IsRefused()
    {
        var ex = Assert.Throws<WorkflowDefinitionException>(() =>
            WorkflowLoader.Build([("a.json", ShippedDefinition.Json), ("b.json", ShippedDefinition.Json)]));
        var error = Assert.Single(ex.Errors);
        Assert.Equal(WorkflowRule.DuplicateVersion, error.Rule);
        Assert.Equal("b.json", error.File);
    }

    [Fact]
    public void StartUpError_ListsFilePathAndRule()
    {
        var json = ShippedDefinition.With(d => d.Transition("resolve")["to"] = "settled");
        var ex = Assert.Throws<WorkflowDefinitionException>(() => WorkflowLoader.Build([("mediation-1-9-n.json", json)]));
        Assert.Contains("mediation-1-9-n.json: $.transitions[4].to: TransitionToNowhere", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangingATimeLimit_IsAJsonEdit()
    {
        var json = ShippedDefinition.With(d => d.Level("village")["timeLimit"] = new JsonObject { ["days"] = 3, ["counting"] = "workingDays" });
        var (definition, errors) = WorkflowLoader.Parse(json, File);
        Assert.Empty(errors);
        Assert.Equal(3, definition!.Level("village").TimeLimit.Days);
        Assert.Equal(Definitions.DayCounting.WorkingDays, definition.Level("village").TimeLimit.Counting);
    }

    private static JsonObject Transition(string action, string[] from, string to) => new()
    {
        ["action"] = action,
        ["title"] = new JsonObject { ["zh"] = action, ["en"] = action },
        ["from"] = new JsonArray(from.Select(f => (JsonNode?)f).ToArray()),
        ["to"] = to,
        ["roles"] = new JsonArray("villageMediator"),
    };
}
