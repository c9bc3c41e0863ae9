using System.Globalization;
using System.Text.Json;
using Mediation.Workflows.Validation;

namespace Mediation.Workflows.Time;

/// <summary>
/// Reads a working-day calendar file and checks it like a definition: every problem is named by file, JSON path
/// and rule, all at once, so a typo in a holiday cannot silently move every deadline.
/// </summary>
public static class CalendarLoader
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Loads and checks a calendar file; throws with every error found.</summary>
    public static WorkingDayCalendar Load(string path)
    {
        var file = Path.GetFileName(path);
        if (!File.Exists(path))
            throw new WorkflowDefinitionException([new(path, "$", WorkflowRule.MissingCalendar, "the working-day calendar file does not exist")]);
        var (calendar, errors) = Parse(File.ReadAllText(path), Path.Combine("calendars", file));
        return calendar ?? throw new WorkflowDefinitionException(errors);
    }

    public static (WorkingDayCalendar? Calendar, IReadOnlyList<WorkflowDefinitionError> Errors) Parse(string json, string file)
    {
        var errors = new List<WorkflowDefinitionError>();
        void Error(string path, WorkflowRule rule, string message) => errors.Add(new(file, path, rule, message));

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, Options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";
            return (null, [new(file, "$", WorkflowRule.InvalidJson, FirstSentence(ex.Message) + where)]);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, [new(file, "$", WorkflowRule.InvalidJson, "the file holds no JSON object")]);
            foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("source" or "years" or "$schema")))
                Error("$." + property.Name, WorkflowRule.InvalidJson, $"unknown field '{property.Name}'; a calendar has 'source' and 'years'");
            if (!root.TryGetProperty("years", out var yearsElement) || yearsElement.ValueKind != JsonValueKind.Object)
            {
                Error("$.years", WorkflowRule.MissingField, "a calendar lists its years: { \"years\": { \"2026\": { \"off\": [...], \"work\": [...] } } }");
                return (null, errors);
            }

            var off = new List<DateOnly>();
            var work = new List<DateOnly>();
            var years = new List<int>();
            foreach (var year in yearsElement.EnumerateObject())
            {
                var path = $"$.years.{year.Name}";
                if (!int.TryParse(year.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var y))
                {
                    Error(path, WorkflowRule.InvalidValue, $"'{year.Name}' is not a year like 2026");
                    continue;
                }
                if (y < DefinitionBounds.CalendarYear.Min || y > DefinitionBounds.CalendarYear.Max)
                {
                    Error(path, WorkflowRule.OutOfRange, $"year must be between {DefinitionBounds.CalendarYear.Min} and {DefinitionBounds.CalendarYear.Max}, not {y}");
                    continue;
                }
                if (year.Value.ValueKind != JsonValueKind.Object)
                {
                    Error(path, WorkflowRule.InvalidValue, "a year holds { \"off\": [...], \"work\": [...] }");
                    continue;
                }
                years.Add(y);
                foreach (var property in year.Value.EnumerateObject().Where(p => p.Name is not ("off" or "work")))
                    Error($"{path}.{property.Name}", WorkflowRule.InvalidJson, $"unknown field '{property.Name}'; a year has 'off' and 'work'");
                var yearOff = Days(year.Value, "off", y, path, Error);
                var yearWork = Days(year.Value, "work", y, path, Error);
                foreach (var clash in yearOff.Intersect(yearWork).Order())
                    Error(path + ".work", WorkflowRule.InvalidValue, $"{clash:yyyy-MM-dd} is listed both as a day off and as a make-up working day");
                off.AddRange(yearOff);
                work.AddRange(yearWork);
            }
            return errors.Count > 0 ? (null, errors) : (new WorkingDayCalendar(off, work, years), errors);
        }
    }

    // "MM-dd" or an inclusive range "MM-dd..MM-dd", each within the year it is listed under.
    private static HashSet<DateOnly> Days(JsonElement year, string field, int y, string yearPath, Action<string, WorkflowRule, string> error)
    {
        var days = new HashSet<DateOnly>();
        if (!year.TryGetProperty(field, out var list))
            return days;
        if (list.ValueKind != JsonValueKind.Array)
        {
            error($"{yearPath}.{field}", WorkflowRule.InvalidValue, $"'{field}' is a list of days like \"10-01\" or ranges like \"10-01..10-07\"");
            return days;
        }
        var i = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var path = $"{yearPath}.{field}[{i++}]";
            var text = entry.ValueKind == JsonValueKind.String ? entry.GetString()! : entry.GetRawText();
            var parts = text.Split("..", StringSplitOptions.TrimEntries);
            if (entry.ValueKind != JsonValueKind.String || parts.Length > 2
                || !DateOnly.TryParseExact($"{y}-{parts[0]}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            {
                error(path, WorkflowRule.InvalidValue, $"'{text}' is not a day of {y} like \"10-01\" or a range like \"10-01..10-07\"");
                continue;
            }
            var last = first;
            if (parts.Length == 2 && !DateOnly.TryParseExact($"{y}-{parts[1]}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out last))
            {
                error(path, WorkflowRule.InvalidValue, $"'{parts[1]}' in '{text}' is not a day of {y} like \"10-07\"");
                continue;
            }
            if (last < first)
            {
                error(path, WorkflowRule.InvalidValue, $"the range '{text}' ends before it starts");
                continue;
            }
            for (var d = first; d <= last; d = d.AddDays(1))
                days.Add(d);
        }
        return days;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
