using System.Text.Json.Nodes;
using Mediation.Workflows.Time;
using Mediation.Workflows.Validation;

namespace Mediation.Workflows.Tests;

// The calendar moves every working-day deadline, so it is checked like a definition: file, JSON path, rule.
public class CalendarValidationTests
{
    private const string File = "calendars/cn-working-days.json";

    private static string Shipped => System.IO.File.ReadAllText(Path.Combine(ShippedDefinition.Folder, "calendars", "cn-working-days.json"));

    private static string With(Action<JsonObject> edit)
    {
        var doc = JsonNode.Parse(Shipped)!.AsObject();
        edit(doc);
        return doc.ToJsonString();
    }

    private static WorkflowDefinitionError SingleError(string json, WorkflowRule rule)
    {
        var (calendar, errors) = CalendarLoader.Parse(json, File);
        Assert.Null(calendar);
        var error = Assert.Single(errors);
        Assert.Equal((File, rule), (error.File, error.Rule));
        return error;
    }

    [Fact]
    public void ShippedCalendar_IsValid()
    {
        var (calendar, errors) = CalendarLoader.Parse(Shipped, File);
        Assert.Empty(errors);
        Assert.Equal([2025, 2026], calendar!.YearsCovered);
    }

    [Fact]
    public void DayThatDoesNotExist_IsNamedWithItsPath()
    {
        var json = With(d => d["years"]!["2026"]!["off"]![1] = "02-30");
        var error = SingleError(json, WorkflowRule.InvalidValue);
        Assert.Equal("$.years.2026.off[1]", error.JsonPath);
        Assert.Contains("'02-30'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RangeThatEndsBeforeItStarts_IsRefused()
    {
        var json = With(d => d["years"]!["2026"]!["off"]![6] = "10-07..10-01");
        var error = SingleError(json, WorkflowRule.InvalidValue);
        Assert.Equal("$.years.2026.off[6]", error.JsonPath);
    }

    [Fact]
    public void DayBothOffAndWorking_IsRefused()
    {
        var json = With(d => d["years"]!["2026"]!["work"]!.AsArray().Add("10-03"));
        var error = SingleError(json, WorkflowRule.InvalidValue);
        Assert.Equal("$.years.2026.work", error.JsonPath);
        Assert.Contains("2026-10-03", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void YearOutOfRange_IsRefused()
    {
        var json = With(d => d["years"]!["20260"] = new JsonObject { ["off"] = new JsonArray("01-01") });
        var error = SingleError(json, WorkflowRule.OutOfRange);
        Assert.Equal("$.years.20260", error.JsonPath);
    }

    [Fact]
    public void MissingYears_IsAMissingField()
    {
        var error = SingleError("{ \"source\": \"x\" }", WorkflowRule.MissingField);
        Assert.Equal("$.years", error.JsonPath);
    }

    [Fact]
    public void MisspelledField_IsRefused_SoAYearIsNotSilentlyEmpty()
    {
        var json = With(d => d["years"]!["2026"]!["offs"] = new JsonArray("12-24"));
        var error = SingleError(json, WorkflowRule.InvalidJson);
        Assert.Equal("$.years.2026.offs", error.JsonPath);
    }

    [Fact]
    public void BrokenJson_NamesTheLine()
    {
        var error = SingleError("{ \"years\": { \"2026\": } }", WorkflowRule.InvalidJson);
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsAMissingCalendar()
    {
        var path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "cn-working-days.json");
        var ex = Assert.Throws<WorkflowDefinitionException>(() => CalendarLoader.Load(path));
        Assert.Equal(WorkflowRule.MissingCalendar, Assert.Single(ex.Errors).Rule);
    }

    [Fact]
    public void WorkingDayCalendarParse_RefusesWhatTheCheckRefuses()
    {
        var json = With(d => d["years"]!["2026"]!["work"]!.AsArray().Add("10-03"));
        var ex = Assert.Throws<WorkflowDefinitionException>(() => WorkingDayCalendar.Parse(json));
        Assert.Contains("$.years.2026.work", ex.Message, StringComparison.Ordinal);
    }
}
