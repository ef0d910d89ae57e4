using System.Text.Json;
using System.Text.Json.Nodes;

namespace SparseDictionary.Experiments.Runs;

/// <summary>
/// A sweep: base settings and a grid of values for some of them, read from JSON:
/// <code>{ "base": { "total_steps": 2000, "expansion_factor": 8 }, "grid": { "architecture": ["standard", "gated"], "l1_coefficient": [1, 2, 4] } }</code>
/// Field names are those of a run config's JSON (<see cref="SaeRunConfigJson"/>); <see cref="Expand"/> gives every
/// combination. Each combination must be a valid run: an architecture's parameter in <c>base</c> only suits grids whose
/// architectures all have it.
/// </summary>
/// <param name="Base">The settings every run shares, as written.</param>
/// <param name="Grid">Field name → the values it takes, in order.</param>
public sealed record SweepFile(JsonObject Base, IReadOnlyList<KeyValuePair<string, IReadOnlyList<JsonNode?>>> Grid)
{
    /// <summary>Reads a sweep file and checks that every combination is a valid run.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON, names an unknown field, or a combination is invalid (the message names the file and field).</exception>
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
                if (!SaeRunConfigJson.AllFields.Contains(field)) throw new InvalidDataException($"'{path}': grid field '{field}' is not a run setting ({string.Join(", ", SaeRunConfigJson.AllFields.Order())}).");
                if (values is not JsonArray array || array.Count == 0) throw new InvalidDataException($"'{path}': grid field '{field}' must be a non-empty array.");
                grid.Add(new(field, [.. array.Select(v => v?.DeepClone())]));
            }
        }
        else if (root["grid"] is not null)
        {
            throw new InvalidDataException($"'{path}': 'grid' must be an object of arrays.");
        }
        var baseObject = root["base"] switch
        {
            null => new JsonObject(),
            JsonObject o => (JsonObject)o.DeepClone(),
            _ => throw new InvalidDataException($"'{path}': 'base' must be an object."),
        };
        var sweep = new SweepFile(baseObject, grid);
        sweep.Expand(path);
        return sweep;
    }

    /// <summary>Every combination of the grid's values applied to <see cref="Base"/>, each named after its values, validated.</summary>
    /// <param name="source">Names the sweep in error messages (its file).</param>
    /// <exception cref="InvalidDataException">A combination is not a valid run.</exception>
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
            var json = (JsonObject)Base.DeepClone();
            foreach ((string field, JsonNode? value) in combination) json[field] = value?.DeepClone();
            string name = combination.Count == 0 ? json["name"]?.GetValue<string>() ?? new SaeRunConfig().Name
                : string.Join('_', combination.Select(c => $"{c.Field}={c.Value?.ToJsonString().Trim('"')}"));
            json["name"] = name;
            try
            {
                configs.Add(SaeRunConfigJson.FromJson(json));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"'{source}': {(combination.Count == 0 ? "base" : name)}: {e.Message}", e);
            }
        }
        return configs;
    }
}
