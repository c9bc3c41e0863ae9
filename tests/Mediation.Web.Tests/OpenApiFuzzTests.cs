using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Mediation.Web.Tests;

/// <summary>
/// Sends every operation of the served OpenAPI document seeded random, extreme and wrong-typed values, as several
/// roles, and fails on any 5xx. A fixed seed runs every time; a random one too, printed so a failure can be replayed
/// (set MEDIATION_FUZZ_SEED to replay it).
/// </summary>
public class OpenApiFuzzTests(ITestOutputHelper output)
{
    private const int FixedSeed = 20261202;
    private static readonly int RequestsPerOperation =
        int.TryParse(Environment.GetEnvironmentVariable("MEDIATION_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var count) ? count : 40;
    private static readonly string[] Roles = ["cun01-1", "zhan1-1", "zhongxin1", "zhuren", "xinfang1", "admin"];

    [Fact]
    public async Task EveryOperation_WithRandomExtremeAndWrongTypedInput_NeverAnswers5xx_AndRefusesWithProblemJson()
    {
        var randomSeed = int.TryParse(Environment.GetEnvironmentVariable("MEDIATION_FUZZ_SEED"), CultureInfo.InvariantCulture, out var replay)
            ? replay
            : Random.Shared.Next();
        output.WriteLine($"Fuzz seeds: fixed {FixedSeed}, random {randomSeed} (replay with MEDIATION_FUZZ_SEED={randomSeed})");

        var failures = new List<string>();
        foreach (var seed in new[] { FixedSeed, randomSeed })
        {
            // A host per seed: one seed's fuzzing (an account moved to another role) must not change the next one's start.
            using var host = new ApiHost();
            failures.AddRange(await FuzzAsync(host, seed));
        }

        Assert.True(failures.Count == 0, $"{failures.Count} answers were 5xx or a refusal without problem+json:\n" + string.Join("\n\n", failures.Take(15)));
    }

    private async Task<List<string>> FuzzAsync(ApiHost host, int seed)
    {
        var random = new Random(seed);
        var clients = new Dictionary<string, HttpClient>(StringComparer.Ordinal);
        foreach (var role in Roles)
            clients[role] = await host.SignedInAs(role);
        var anonymous = host.CreateClient();

        // Real cases at a village, a station and the center, so case commands reach the domain and not only 404.
        var caseIds = new List<long>();
        foreach (var registrar in new[] { "cun01-1", "zhan1-1", "zhongxin1" })
        {
            for (var i = 0; i < 3; i++)
            {
                var created = await clients[registrar].PostAsJsonAsync("/api/cases", ValidCase($"模糊测试 {registrar} {i}"));
                created.EnsureSuccessStatusCode();
                var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("caseId").GetInt64();
                caseIds.Add(id);
                if (i > 0)
                    await clients[registrar].PostAsJsonAsync($"/api/cases/{id}/accept", new { expectedVersion = 1 });
            }
        }

        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;
        var generator = new ValueGenerator(random, document, caseIds);
        var failures = new List<string>();
        var sent = 0;
        var statuses = new SortedDictionary<int, int>();
        foreach (var (path, pathItem) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in pathItem!.AsObject())
            {
                if (!IsFuzzed(path, method))
                    continue;
                for (var n = 0; n < RequestsPerOperation; n++)
                {
                    var (url, body) = generator.Request(path, operation!);
                    var client = path.StartsWith("/api/session", StringComparison.Ordinal) ? anonymous : clients[Roles[random.Next(Roles.Length)]];
                    using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
                    if (body is not null)
                        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                    if (random.Next(4) == 0)
                        request.Headers.TryAddWithoutValidation("Idempotency-Key", $"fuzz-{random.Next(8)}");
                    if (random.Next(3) == 0)
                        request.Headers.TryAddWithoutValidation("Accept-Language", random.Next(2) == 0 ? "zh-CN" : "en");
                    sent++;
                    try
                    {
                        using var response = await client.SendAsync(request);
                        statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                        if (Environment.GetEnvironmentVariable("MEDIATION_FUZZ_DEBUG") == path && method == "post")
                            output.WriteLine($"{(int)response.StatusCode} {Shorten(body)} -> {Shorten(await response.Content.ReadAsStringAsync())}");
                        if ((int)response.StatusCode >= 500)
                            failures.Add($"{method.ToUpperInvariant()} {path} seed {seed} #{n}: {(int)response.StatusCode}\n  url: {Shorten(url)}\n  body: {Shorten(body)}");
                        else if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                            failures.Add($"{method.ToUpperInvariant()} {path} seed {seed} #{n}: {(int)response.StatusCode} without problem+json\n  url: {Shorten(url)}\n  body: {Shorten(body)}");
                    }
                    catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or JsonException)
                    {
                        failures.Add($"{method.ToUpperInvariant()} {path} seed {seed} #{n}: {ex.GetType().Name} {Shorten(ex.Message)}\n  url: {Shorten(url)}\n  body: {Shorten(body)}");
                    }
                }
            }
        }
        output.WriteLine($"Seed {seed}: {sent} requests, {failures.Count} failed (5xx, or a refusal without problem+json); by status: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}.");
        return failures;
    }

    // Signing out would end the fuzzing clients' sessions; the escalation feed is a stream that never ends.
    private static bool IsFuzzed(string path, string method) =>
        !(path == "/api/session" && method == "delete") && path != "/api/feed/escalations";

    private static string Shorten(string? text) =>
        text is null ? "(none)" : text.Length > 300 ? text[..300] + $"… ({text.Length} chars)" : text;

    internal static object ValidCase(string summary) => new
    {
        channel = "walkIn",
        category = "neighbour",
        summary,
        riskLevel = "low",
        riskSignals = "none",
        parties = new object[] { new { role = "applicant", name = "王秀英", phone = "13905318842" }, new { role = "respondent", name = "李德胜" } },
    };

    /// <summary>Builds requests from the operation's schema, bending each value now and then into something hostile.</summary>
    private sealed class ValueGenerator(Random random, JsonNode document, List<long> caseIds)
    {
        private static readonly string[] Hostile =
        [
            "", " ", "\r\nInjected: yes", "\0\u0001\u001b[31m", "'; DROP TABLE cases; --", "NaN", "Infinity", "-0", "1e309",
            "9999-12-31", "0001-01-01", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-02-30", "unknownValue", "null",
            "𠀀𠀁😀", "\ud800", "%0d%0a", "../../etc/passwd", "<script>alert(1)</script>",
        ];

        // How often a value is bent: none (valid-looking requests that reach the domain), now and then, or often.
        private double _hostility;

        private bool Bend() => random.NextDouble() < _hostility;

        public (string Url, string? Body) Request(string path, JsonNode operation)
        {
            _hostility = new[] { 0.0, 0.04, 0.25 }[random.Next(3)];
            var url = new StringBuilder();
            foreach (var segment in path.Split('/'))
            {
                if (segment.Length == 0)
                    continue;
                url.Append('/').Append(segment.StartsWith('{') ? PathId() : segment);
            }
            var query = new List<string>();
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
            {
                if (parameter!["in"]?.GetValue<string>() != "query" || random.Next(3) == 0)
                    continue;
                var value = Bend() ? HostileText() : Scalar(Resolve(parameter["schema"]), parameter["name"]!.GetValue<string>());
                query.Add(Uri.EscapeDataString(parameter["name"]!.GetValue<string>()) + "=" + Uri.EscapeDataString(value));
            }
            if (query.Count > 0)
                url.Append('?').Append(string.Join('&', query));

            var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
            if (schema is null)
                return (url.ToString(), null);
            return (url.ToString(), random.Next(12) switch
            {
                0 when _hostility > 0 => new[] { "", "null", "[]", "\"text\"", "42", "{", "{\"a\":", "[null]", "{}" }[random.Next(9)],
                _ => (Value(schema, "", depth: 0) ?? JsonValue.Create((string?)null))?.ToJsonString() ?? "null",
            });
        }

        private string PathId() => random.Next(6) switch
        {
            0 => new[] { "0", "-1", "9223372036854775807", "2", "99999" }[random.Next(5)],
            _ => caseIds[random.Next(caseIds.Count)].ToString(CultureInfo.InvariantCulture),
        };

        private JsonNode? Value(JsonNode? schemaRef, string name, int depth)
        {
            var schema = Resolve(schemaRef);
            if (Bend())
                return random.Next(2) == 0 ? null : HostileNode();
            var type = TypeOf(schema);
            if (schema?["enum"] is JsonArray enums && !Bend())
                return Pick(enums)?.DeepClone();
            switch (type)
            {
                case "object" when depth < 4:
                    var obj = new JsonObject();
                    foreach (var (property, propertySchema) in schema?["properties"]?.AsObject() ?? [])
                    {
                        if (Bend())
                            continue; // a missing field
                        obj[property] = Value(propertySchema, property, depth + 1);
                    }
                    return obj;
                case "array" when depth < 4:
                    var array = new JsonArray();
                    var count = Bend() ? random.Next(2) * 30 : random.Next(1, 4);
                    for (var i = 0; i < count; i++)
                        array.Add(Bend() ? null : Value(schema?["items"], name, depth + 1));
                    return array;
                case "integer":
                case "number":
                    return Bend() ? HostileNumber() : JsonValue.Create(random.Next(1, 6));
                case "boolean":
                    return JsonValue.Create(random.Next(2) == 0);
                default:
                    return JsonValue.Create(Scalar(schema, name));
            }
        }

        private string Scalar(JsonNode? schema, string name)
        {
            if (schema?["enum"] is JsonArray enums && !Bend())
                return Pick(enums)?.ToString() ?? "";
            if (Bend())
                return HostileText();
            var format = schema?["format"]?.GetValue<string>();
            var now = new DateTime(2026, 12, 2, 8, 0, 0, DateTimeKind.Utc);
            return (TypeOf(schema), format) switch
            {
                (_, "date") => DateOnly.FromDateTime(now.AddDays(random.Next(-100, 700))).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                (_, "date-time") => now.AddHours(random.Next(-2000, 24)).ToString("O", CultureInfo.InvariantCulture),
                ("integer" or "number", _) => random.Next(1, 50).ToString(CultureInfo.InvariantCulture),
                ("boolean", _) => random.Next(2) == 0 ? "true" : "false",
                _ => name switch
                {
                    "role" => new[] { "villageMediator", "stationMediator", "centerMediator", "administrator", "nobody" }[random.Next(5)],
                    "kind" => new[] { "villagePoint", "districtStation", "streetCenter", "moon" }[random.Next(4)],
                    "phone" => new[] { "13905318842", "0531-88886666", "+86 139 0531 8842" }[random.Next(3)],
                    "idNumber" => "370102198803154213",
                    "riskSignals" => new[] { "none", "collectivePetition", "levelSkippingPetition, turningViolent" }[random.Next(3)],
                    "userName" => "fuzz" + random.Next(1000).ToString(CultureInfo.InvariantCulture),
                    "password" => "Fuzz2026" + random.Next(1000).ToString(CultureInfo.InvariantCulture),
                    "state" => new[] { "pending", "mediating", "closed", "nowhere" }[random.Next(4)],
                    "level" => new[] { "village", "station", "center", "moon" }[random.Next(4)],
                    _ => "调解" + random.Next(1000).ToString(CultureInfo.InvariantCulture),
                },
            };
        }

        // A nullable enum lists null among its values: a valid-looking request names a real one.
        private JsonNode? Pick(JsonArray values)
        {
            var real = values.Where(v => v is not null).ToList();
            return real.Count == 0 ? null : real[random.Next(real.Count)];
        }

        private string HostileText() => random.Next(6) switch
        {
            0 => new string('长', 100_000),
            1 => string.Concat(Enumerable.Repeat("\r\n", 2000)),
            _ => Hostile[random.Next(Hostile.Length)],
        };

        private JsonNode? HostileNode() => random.Next(8) switch
        {
            0 => new JsonArray(null, null),
            1 => new JsonObject { ["unexpected"] = 1 },
            2 => JsonValue.Create(true),
            3 or 4 => HostileNumber(),
            _ => JsonValue.Create(HostileText()),
        };

        private JsonValue HostileNumber() => random.Next(8) switch
        {
            0 => JsonValue.Create(int.MaxValue),
            1 => JsonValue.Create(int.MinValue),
            2 => JsonValue.Create(long.MaxValue),
            3 => JsonValue.Create(-1),
            4 => JsonValue.Create(0),
            5 => JsonValue.Create(1e308),
            6 => JsonValue.Create(79228162514264337593543950335m),
            _ => JsonValue.Create(0.5),
        };

        private JsonNode? Resolve(JsonNode? schema)
        {
            for (var i = 0; i < 10 && schema?["$ref"] is JsonValue reference; i++)
            {
                var name = reference.GetValue<string>().Split('/')[^1];
                schema = document["components"]?["schemas"]?[name];
            }
            if (schema?["oneOf"] is JsonArray oneOf)
                return Resolve(oneOf.FirstOrDefault(s => Resolve(s)?["type"]?.ToString() != "null") ?? oneOf[0]);
            if (schema?["anyOf"] is JsonArray anyOf)
                return Resolve(anyOf.FirstOrDefault(s => Resolve(s)?["type"]?.ToString() != "null") ?? anyOf[0]);
            return schema;
        }

        private static string? TypeOf(JsonNode? schema) => schema?["type"] switch
        {
            JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
            JsonValue type => type.GetValue<string>(),
            _ => schema?["properties"] is not null ? "object" : null,
        };
    }
}
