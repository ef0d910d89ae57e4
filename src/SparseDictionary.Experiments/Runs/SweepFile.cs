using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SparseDictionary.Experiments.Runs;

/// <summary>
/// A sweep: a base <see cref="SaeRunConfig"/> and a grid of values for some of its fields, read from JSON:
/// <code>{ "base": { "steps": 2000, "expansion_factor": 8 }, "grid": { "architecture": ["standard", "gated"], "l1_coefficient": [1, 2, 4] } }</code>
/// Field names are <see cref="SaeRunConfig"/>'s in snake_case; <see cref="Expand"/> gives every combination.
/// </summary>
/// <param name="Base">The settings every run shares.</param>
/// <param name="Grid">Field name → the values it takes, in order.</param>
public sealed record SweepFile(SaeRunConfig Base, IReadOnlyList<KeyValuePair<string, IReadOnlyList<JsonNode?>>> Grid)
{
    /// <summary>The JSON conventions of sweep files: snake_case names and enum values, unknown fields rejected.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly HashSet<string> Fields = [.. typeof(SaeRunConfig).GetProperties()
        .Where(p => p.CanWrite).Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name))];

    /// <summary>Reads a sweep file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or names an unknown field (the message names the file and field).</exception>
    public static SweepFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The sweep file '{path}' does not exist.", path);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}': expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        foreach (string key in root.Select(p => p.Key))
        {
            if (key is not ("base" or "grid")) throw new InvalidDataException($"'{path}': unknown top-level field '{key}' (expected 'base' and 'grid').");
        }
        var grid = new List<KeyValuePair<string, IReadOnlyList<JsonNode?>>>();
        if (root["grid"] is JsonObject gridObject)
        {
            foreach ((string field, JsonNode? values) in gridObject)
            {
                if (!Fields.Contains(field)) throw new InvalidDataException($"'{path}': grid field '{field}' is not a run setting ({string.Join(", ", Fields.Order())}).");
                if (values is not JsonArray array || array.Count == 0) throw new InvalidDataException($"'{path}': grid field '{field}' must be a non-empty array.");
                grid.Add(new(field, [.. array.Select(v => v?.DeepClone())]));
            }
        }
        else if (root["grid"] is not null)
        {
            throw new InvalidDataException($"'{path}': 'grid' must be an object of arrays.");
        }
        SaeRunConfig baseConfig = Parse(root["base"]?.DeepClone() as JsonObject ?? [], path, "base");
        return new SweepFile(baseConfig, grid);
    }

    /// <summary>Every combination of the grid's values applied to <see cref="Base"/>, each named after its values, validated.</summary>
    public IReadOnlyList<SaeRunConfig> Expand(string source = "sweep")
    {
        var combinations = new List<List<(string Field, JsonNode? Value)>> { new() };
        foreach ((string field, IReadOnlyList<JsonNode?> values) in Grid)
        {
            combinations = [.. combinations.SelectMany(c => values.Select(v => new List<(string, JsonNode?)>(c) { (field, v) }))];
        }
        var configs = new List<SaeRunConfig>();
        foreach (List<(string Field, JsonNode? Value)> combination in combinations)
        {
            JsonObject json = JsonSerializer.SerializeToNode(Base, JsonOptions)!.AsObject();
            foreach ((string field, JsonNode? value) in combination) json[field] = value?.DeepClone();
            string name = combination.Count == 0 ? Base.Name
                : string.Join('_', combination.Select(c => $"{c.Field}={c.Value?.ToJsonString().Trim('"')}"));
            json["name"] = name;
            configs.Add(Parse(json, source, name));
        }
        return configs;
    }

    private static SaeRunConfig Parse(JsonObject json, string path, string what)
    {
        SaeRunConfig config;
        try
        {
            config = json.Deserialize<SaeRunConfig>(JsonOptions) ?? new SaeRunConfig();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{path}': {what}: {e.Message}"), e);
        }
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}': {what}: {e.Message}", e);
        }
        return config;
    }
}
