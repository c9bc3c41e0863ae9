using System.Text.Json.Nodes;

namespace Mediation.Workflows.Tests;

/// <summary>The definition that ships under workflows/, as text and as an editable JSON tree.</summary>
internal static class ShippedDefinition
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "workflows");

    public static string Json => File.ReadAllText(Path.Combine(Folder, "mediation-1-9-n.json"));

    /// <summary>The shipped definition with one edit applied, as an administrator would make it.</summary>
    public static string With(Action<JsonObject> edit)
    {
        var doc = JsonNode.Parse(Json)!.AsObject();
        edit(doc);
        return doc.ToJsonString();
    }

    public static JsonObject State(this JsonObject doc, string id) =>
        doc["states"]!.AsArray().Select(s => s!.AsObject()).Single(s => (string?)s["id"] == id);

    public static JsonObject Transition(this JsonObject doc, string action) =>
        doc["transitions"]!.AsArray().Select(s => s!.AsObject()).Single(s => (string?)s["action"] == action);

    public static JsonObject Level(this JsonObject doc, string id) =>
        doc["levels"]!.AsArray().Select(s => s!.AsObject()).Single(s => (string?)s["id"] == id);
}
