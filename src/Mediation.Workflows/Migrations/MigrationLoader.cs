using System.Text.Json;
using System.Text.Json.Serialization;
using Mediation.Workflows.Definitions;

namespace Mediation.Workflows.Migrations;

/// <summary>
/// Reads <c>*.migration.json</c> beside the definitions and checks each against the loaded versions: every state and
/// level of the source mapped to one that exists in the target, and every pending timer kind still meaningful there.
/// </summary>
public static class MigrationLoader
{
    public const string Suffix = ".migration.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static MigrationCatalog LoadDirectory(string directory, WorkflowRegistry registry)
    {
        if (!Directory.Exists(directory))
            return MigrationCatalog.Empty;
        var files = Directory.GetFiles(directory, "*" + Suffix, SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal);
        return Build(files.Select(f => (Path.GetFileName(f), File.ReadAllText(f))), registry);
    }

    /// <summary>Builds the catalog from (file name, JSON) pairs; throws with every error of every file.</summary>
    public static MigrationCatalog Build(IEnumerable<(string File, string Json)> sources, WorkflowRegistry registry)
    {
        var errors = new List<MigrationError>();
        var migrations = new List<WorkflowMigration>();
        foreach (var (file, json) in sources)
        {
            var (migration, fileErrors) = Parse(json, file, registry);
            errors.AddRange(fileErrors);
            if (migration is null)
                continue;
            // Two files moving the same version would leave which one ran to chance.
            var clash = migrations.FirstOrDefault(m => m.WorkflowKey == migration.WorkflowKey && m.FromVersion == migration.FromVersion);
            if (clash is not null)
                errors.Add(new(file, "$.from", MigrationRule.DuplicateMigration, $"{clash.File} already migrates {migration.WorkflowKey} version {migration.FromVersion}; keep one file per source version"));
            else
                migrations.Add(migration);
        }
        if (errors.Count > 0)
            throw new WorkflowMigrationException(errors);
        return new MigrationCatalog(migrations);
    }

    public static (WorkflowMigration? Migration, IReadOnlyList<MigrationError> Errors) Parse(string json, string file, WorkflowRegistry registry)
    {
        MigrationDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<MigrationDocument>(json, Json);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";
            var message = ex.Message.IndexOf(" Path:", StringComparison.Ordinal) is var cut and > 0 ? ex.Message[..cut] : ex.Message;
            return (null, [new(file, ex.Path ?? "$", MigrationRule.InvalidJson, message + where)]);
        }
        if (doc is null)
            return (null, [new(file, "$", MigrationRule.InvalidJson, "the file holds no JSON object")]);
        return Validate(doc, file, registry);
    }

    private static (WorkflowMigration?, IReadOnlyList<MigrationError>) Validate(MigrationDocument doc, string file, WorkflowRegistry registry)
    {
        var errors = new List<MigrationError>();
        void Error(string path, MigrationRule rule, string message) => errors.Add(new(file, path, rule, message));

        if (string.IsNullOrWhiteSpace(doc.Workflow))
            Error("$.workflow", MigrationRule.MissingField, "name the workflow key whose cases move");
        if (doc.From is null)
            Error("$.from", MigrationRule.MissingField, "name the version the cases are on");
        if (doc.To is null)
            Error("$.to", MigrationRule.MissingField, "name the version the cases move to");
        if (doc.States is null)
            Error("$.states", MigrationRule.MissingField, "map every state of the source version to a state of the target");
        var deadline = ParseRule(doc.Deadlines?.Rule, "$.deadlines.rule", Error);
        if (doc.Deadlines is null)
            Error("$.deadlines", MigrationRule.MissingField, "say how deadlines are set: \"keepDeadline\" or \"recomputeFromTimeSpent\"");
        var lostTimers = doc.TimersThatLoseMeaning switch
        {
            null or "refuse" => LostTimerRule.Refuse,
            "drop" => LostTimerRule.Drop,
            var other => Fail(other),
        };
        LostTimerRule Fail(string other)
        {
            Error("$.timersThatLoseMeaning", MigrationRule.InvalidValue, $"'{other}' is neither \"drop\" nor \"refuse\"");
            return LostTimerRule.Refuse;
        }
        if (errors.Count > 0 || deadline is null)
            return (null, errors);

        var key = doc.Workflow!;
        var from = Find(registry, key, doc.From!.Value);
        var to = Find(registry, key, doc.To!.Value);
        if (from is null)
            Error("$.from", MigrationRule.UnknownWorkflow, $"no file defines workflow '{key}' version {doc.From}");
        if (to is null)
            Error("$.to", MigrationRule.UnknownWorkflow, $"no file defines workflow '{key}' version {doc.To}");
        if (doc.To <= doc.From)
            Error("$.to", MigrationRule.NotForward, $"cases move to a later version; {doc.To} is not after {doc.From}");
        if (from is null || to is null || errors.Count > 0)
            return (null, errors);

        foreach (var state in from.States.Where(s => !doc.States!.ContainsKey(s.Id)))
            Error("$.states", MigrationRule.UnmappedState, $"state '{state.Id}' of version {from.Version} is not mapped; say which state of version {to.Version} its cases take");
        foreach (var (old, target) in doc.States!)
        {
            if (!from.States.Any(s => s.Id == old))
                Error($"$.states.{old}", MigrationRule.UnknownState, $"version {from.Version} has no state '{old}'");
            if (!to.States.Any(s => s.Id == target))
                Error($"$.states.{old}", MigrationRule.UnknownState, $"version {to.Version} has no state '{target}'; its states are {string.Join(", ", to.States.Select(s => s.Id))}");
        }

        var levels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (old, target) in doc.Levels ?? [])
        {
            if (!from.Levels.Any(l => l.Id == old))
                Error($"$.levels.{old}", MigrationRule.UnknownLevel, $"version {from.Version} has no level '{old}'");
            else if (!to.Levels.Any(l => l.Id == target))
                Error($"$.levels.{old}", MigrationRule.UnknownLevel, $"version {to.Version} has no level '{target}'; its levels are {string.Join(", ", to.Levels.Select(l => l.Id))}");
            else
                levels[old] = target;
        }
        foreach (var level in from.Levels.Where(l => !levels.ContainsKey(l.Id) && doc.Levels?.ContainsKey(l.Id) != true))
        {
            if (to.Levels.Any(l => l.Id == level.Id))
                levels[level.Id] = level.Id;
            else
                Error("$.levels", MigrationRule.UnmappedLevel, $"level '{level.Id}' of version {from.Version} is gone from version {to.Version} and not mapped; name the level its cases take");
        }
        foreach (var (old, target) in levels)
        {
            var (was, now) = (from.Level(old), to.Level(target));
            if (was.UnitKind != now.UnitKind)
                Error($"$.levels.{old}", MigrationRule.LevelChangesUnitKind, $"level '{old}' is worked by {was.UnitKind} units but '{target}' by {now.UnitKind}; a case's holding unit would not work at its new level");
        }

        var levelDeadlines = new Dictionary<string, DeadlineRule>(StringComparer.Ordinal);
        foreach (var (level, text) in doc.Deadlines!.Levels ?? [])
        {
            if (!from.Levels.Any(l => l.Id == level))
                Error($"$.deadlines.levels.{level}", MigrationRule.UnknownLevel, $"version {from.Version} has no level '{level}'");
            else if (ParseRule(text, $"$.deadlines.levels.{level}", Error) is { } rule)
                levelDeadlines[level] = rule;
        }
        if (errors.Count > 0)
            return (null, errors);

        foreach (var (old, target) in doc.States!)
        {
            var (was, now) = (from.State(old), to.State(target));
            var path = $"$.states.{old}";
            if (!was.ClockRuns && now.ClockRuns)
                Error(path, MigrationRule.ClockWouldStart, $"the clock is stopped in '{old}' but runs in '{target}': no deadline could be told for its cases; map it to a state whose clock is stopped");
            if (was.IsFinal && !now.IsFinal)
                Error(path, MigrationRule.ReopensClosedCases, $"'{old}' is final but '{target}' is not: the migration would reopen closed cases; only a mediator reopens a case");
            if (lostTimers == LostTimerRule.Drop)
                continue;
            if (was.ClockRuns && !now.ClockRuns)
                Error(path, MigrationRule.TimerLosesMeaning, $"the clock runs in '{old}' but not in '{target}': its cases' level deadlines would mean nothing; set \"timersThatLoseMeaning\": \"drop\" to drop them, or map it to a state whose clock runs");
            var awaitsAcceptance = old == from.InitialState.Id;
            if (awaitsAcceptance && target != to.InitialState.Id && from.Levels.Any(l => l.AcceptWithin is not null))
                Error(path, MigrationRule.TimerLosesMeaning, $"'{old}' awaits acceptance but '{target}' does not: its cases' acceptance timers would mean nothing; set \"timersThatLoseMeaning\": \"drop\" to drop them, or map it to '{to.InitialState.Id}'");
            if (awaitsAcceptance && target == to.InitialState.Id)
            {
                foreach (var (level, targetLevel) in levels.Where(l => from.Level(l.Key).AcceptWithin is not null && to.Level(l.Value).AcceptWithin is null))
                    Error($"$.levels.{level}", MigrationRule.TimerLosesMeaning, $"level '{targetLevel}' of version {to.Version} sets no acceptance limit: pending acceptance timers at '{level}' would mean nothing; set \"timersThatLoseMeaning\": \"drop\" to drop them");
            }
        }
        if (errors.Count > 0)
            return (null, errors.DistinctBy(e => (e.JsonPath, e.Message)).ToList());

        var id = file.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase) ? file[..^Suffix.Length] : Path.GetFileNameWithoutExtension(file);
        return (new WorkflowMigration(id, file, key, from.Version, to.Version, new Dictionary<string, string>(doc.States!, StringComparer.Ordinal),
            levels, deadline.Value, levelDeadlines, lostTimers), []);
    }

    private static DeadlineRule? ParseRule(string? text, string path, Action<string, MigrationRule, string> error)
    {
        switch (text)
        {
            case "keepDeadline":
                return DeadlineRule.KeepDeadline;
            case "recomputeFromTimeSpent":
                return DeadlineRule.RecomputeFromTimeSpent;
            case null:
                error(path, MigrationRule.MissingField, "say \"keepDeadline\" or \"recomputeFromTimeSpent\"");
                return null;
            default:
                error(path, MigrationRule.InvalidValue, $"'{text}' is neither \"keepDeadline\" nor \"recomputeFromTimeSpent\"");
                return null;
        }
    }

    private static WorkflowDefinition? Find(WorkflowRegistry registry, string key, int version) =>
        registry.All.FirstOrDefault(d => d.Key == key && d.Version == version);

    // Every field optional, so that the validator names what is missing with its path.
    private sealed class MigrationDocument
    {
        [JsonPropertyName("$schema")]
        public string? Schema { get; set; }
        public string? Workflow { get; set; }
        public int? From { get; set; }
        public int? To { get; set; }
        public Dictionary<string, string>? States { get; set; }
        public Dictionary<string, string>? Levels { get; set; }
        public DeadlinesDocument? Deadlines { get; set; }
        public string? TimersThatLoseMeaning { get; set; }
    }

    private sealed class DeadlinesDocument
    {
        public string? Rule { get; set; }
        public Dictionary<string, string>? Levels { get; set; }
    }
}
