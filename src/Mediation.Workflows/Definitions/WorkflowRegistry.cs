namespace Mediation.Workflows.Definitions;

/// <summary>
/// All loaded definitions, unique by (key, version). New cases take the latest version of a key;
/// a running case keeps the version it was registered under.
/// </summary>
public sealed class WorkflowRegistry
{
    private readonly Dictionary<(string Key, int Version), WorkflowDefinition> _all;
    private readonly Dictionary<string, WorkflowDefinition> _latest;

    public WorkflowRegistry(IEnumerable<WorkflowDefinition> definitions)
    {
        _all = definitions.ToDictionary(d => (d.Key, d.Version));
        _latest = _all.Values.GroupBy(d => d.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(d => d.Version)!, StringComparer.Ordinal);
    }

    public IEnumerable<WorkflowDefinition> All => _all.Values.OrderBy(d => d.Key, StringComparer.Ordinal).ThenBy(d => d.Version);

    public WorkflowDefinition Latest(string key) =>
        _latest.TryGetValue(key, out var definition) ? definition : throw new KeyNotFoundException($"No workflow definition '{key}' is loaded.");

    public WorkflowDefinition Get(string key, int version) =>
        _all.TryGetValue((key, version), out var definition)
            ? definition
            : throw new KeyNotFoundException($"Workflow '{key}' version {version} is not loaded; a running case needs it (keep old versions' files under workflows/).");
}
