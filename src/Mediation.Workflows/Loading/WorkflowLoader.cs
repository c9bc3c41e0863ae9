using System.Text.Json;
using Mediation.Workflows.Definitions;
using Mediation.Workflows.Validation;

namespace Mediation.Workflows.Loading;

/// <summary>
/// Reads definition files (JSON under <c>workflows/</c>), validates each, and builds the registry.
/// Schema files (<c>*.schema.json</c>), migration files (<c>*.migration.json</c>) and sub-folders (calendars) are not definitions.
/// </summary>
public static class WorkflowLoader
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Loads every definition in the folder; throws with every error found if any file is invalid.</summary>
    public static WorkflowRegistry LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
            throw new WorkflowDefinitionException([new(directory, "$", WorkflowRule.MissingField, "the workflows folder does not exist")]);

        var files = Directory.GetFiles(directory, "*.json", SearchOption.TopDirectoryOnly)
            .Where(f => !f.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase) && !f.EndsWith(Migrations.MigrationLoader.Suffix, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Build(files.Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
    }

    /// <summary>Builds a registry from (file name, JSON text) pairs, checking (key, version) is unique across them.</summary>
    public static WorkflowRegistry Build(IEnumerable<(string File, string Json)> sources)
    {
        var errors = new List<WorkflowDefinitionError>();
        var definitions = new List<WorkflowDefinition>();
        foreach (var (file, json) in sources)
        {
            var (definition, fileErrors) = Parse(json, file);
            errors.AddRange(fileErrors);
            if (definition is null)
                continue;
            definition.ContentSha256 = ContentHash(json);
            var clash = definitions.FirstOrDefault(d => d.Key == definition.Key && d.Version == definition.Version);
            if (clash is not null)
                errors.Add(new(file, "$.version", WorkflowRule.DuplicateVersion, $"{definition} is already defined in {clash.SourceFile}; publish a change as a new version"));
            else
                definitions.Add(definition);
        }
        if (errors.Count > 0)
            throw new WorkflowDefinitionException(errors);
        if (definitions.Count == 0)
            throw new WorkflowDefinitionException([new("workflows", "$", WorkflowRule.MissingField, "no workflow definition was found")]);
        return new WorkflowRegistry(definitions);
    }

    /// <summary>Parses and validates one file; returns the definition, or null with the errors that stop it.</summary>
    public static (WorkflowDefinition? Definition, IReadOnlyList<WorkflowDefinitionError> Errors) Parse(string json, string file)
    {
        WorkflowDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize<WorkflowDocument>(json, Json);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";
            return (null, [new(file, ex.Path ?? "$", WorkflowRule.InvalidJson, FirstSentence(ex.Message) + where)]);
        }
        if (doc is null)
            return (null, [new(file, "$", WorkflowRule.InvalidJson, "the file holds no JSON object")]);
        return DefinitionValidator.Validate(doc, file);
    }

    // Reformatting or a comment does not change what a version means, so they do not change its hash.
    public static string ContentHash(string json)
    {
        var canonical = System.Text.Json.Nodes.JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.ToJsonString();
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical)));
    }

    // System.Text.Json appends path and position to its message; we report those separately.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
