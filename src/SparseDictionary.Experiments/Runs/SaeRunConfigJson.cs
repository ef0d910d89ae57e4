using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SparseDictionary.Autoencoders;
using SparseDictionary.Training;

namespace SparseDictionary.Experiments.Runs;

/// <summary>
/// The JSON form of a <see cref="SaeRunConfig"/>: one flat object with <c>name</c>, <c>architecture</c> (a registered name),
/// the architecture's parameters, <c>expansion_factor</c> and every <see cref="TrainerOptions"/> field, all in snake_case
/// (<see cref="SaeArchitecture.JsonOptions"/>). Missing fields keep <see cref="SaeRunConfig"/>'s defaults; an unknown field,
/// or a parameter of another architecture, is an error that names it. <c>"resampling": true</c> is shorthand for
/// <see cref="SaeRunConfig.ResamplingFor"/> of the run.
/// </summary>
public sealed class SaeRunConfigJson : JsonConverter<SaeRunConfig>
{
    private static readonly string[] OwnFields = ["name", "architecture", "expansion_factor"];

    private const string ResamplingField = "resampling";

    // The TrainerOptions fields' types by snake_case name, to check a value before it is read.
    private static readonly Dictionary<string, Type> TrainingTypes = SaeArchitecture.JsonProperties(typeof(TrainerOptions))
        .ToDictionary(f => f.Name, f => f.Property.PropertyType, StringComparer.Ordinal);

    /// <summary>The <see cref="TrainerOptions"/> fields by snake_case name.</summary>
    public static IReadOnlyList<string> TrainingFields { get; } = [.. SaeArchitecture.JsonProperties(typeof(TrainerOptions)).Select(f => f.Name)];

    /// <summary>Every field a run config may have, whatever its architecture.</summary>
    public static IReadOnlySet<string> AllFields { get; } = new HashSet<string>(
        OwnFields.Concat(TrainingFields).Concat(SaeArchitectures.All.SelectMany(a => a.Parameters.Select(p => p.Name))), StringComparer.Ordinal);

    /// <summary>The .NET type of the run-level field <paramref name="key"/> (<c>expansion_factor</c> or a <see cref="TrainerOptions"/> field), or <see langword="null"/>.</summary>
    public static Type? RunFieldType(string key) => key == "expansion_factor" ? typeof(int) : TrainingTypes.GetValueOrDefault(key);

    /// <summary>The flat JSON object of <paramref name="config"/>.</summary>
    public static JsonObject ToJson(SaeRunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var json = new JsonObject
        {
            ["name"] = config.Name,
            ["architecture"] = config.Architecture.Architecture.Name,
        };
        foreach ((string key, JsonNode? value) in config.Architecture.Architecture.WriteSpec(config.Architecture)) json[key] = value?.DeepClone();
        json["expansion_factor"] = config.ExpansionFactor;
        foreach ((string key, JsonNode? value) in JsonSerializer.SerializeToNode(config.Training, SaeArchitecture.JsonOptions)!.AsObject())
        {
            json[key] = value?.DeepClone();
        }
        return json;
    }

    /// <summary>Reads a run config from its flat JSON object and validates it.</summary>
    /// <exception cref="ArgumentException">
    /// A field is unknown, belongs to another architecture, has the wrong type or is out of range;
    /// <see cref="ArgumentException.ParamName"/> names it.
    /// </exception>
    public static SaeRunConfig FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        string architectureName = json["architecture"] switch
        {
            null => StandardArchitecture.ArchitectureName,
            JsonValue v when v.TryGetValue(out string? given) => given,
            var other => throw new ArgumentException($"'architecture' must be a string, not {other.ToJsonString()}.", "architecture"),
        };
        SaeArchitecture architecture = SaeArchitectures.TryGet(architectureName, out SaeArchitecture? found)
            ? found
            : throw new ArgumentException($"'architecture': unknown architecture '{architectureName}'; the known architectures are {string.Join(", ", SaeArchitectures.Names)}.", "architecture");

        var parameters = new List<KeyValuePair<string, JsonNode?>>();
        JsonObject training = JsonSerializer.SerializeToNode(SaeRunConfig.DefaultTraining, SaeArchitecture.JsonOptions)!.AsObject();
        bool defaultResampling = false;
        foreach ((string key, JsonNode? value) in json)
        {
            if (OwnFields.Contains(key)) continue;
            // "resampling": true is shorthand for the resampling scaled to the run (SaeRunConfig.ResamplingFor), false for none.
            if (key == ResamplingField && value is JsonValue flag && flag.TryGetValue(out bool on))
            {
                defaultResampling = on;
                training[key] = null;
                continue;
            }
            if (architecture.Parameters.Any(p => p.Name == key)) parameters.Add(new(key, value));
            else if (TrainingTypes.TryGetValue(key, out Type? type))
            {
                SaeArchitecture.CheckType(key, value, type);
                training[key] = value?.DeepClone();
            }
            else if (AllFields.Contains(key))
            {
                throw new ArgumentException($"'{key}' is not a parameter of the {architecture.Name} architecture; its parameters are {string.Join(", ", architecture.Parameters.Select(p => p.Name))}.", key);
            }
            else
            {
                throw new ArgumentException($"'{key}' is not a run setting; the settings are {string.Join(", ", AllFields.Order())}.", key);
            }
        }

        var config = new SaeRunConfig
        {
            Name = json["name"] is { } name ? Read<string>(name, "name") : new SaeRunConfig().Name,
            Architecture = architecture.ReadSpec(parameters),
            ExpansionFactor = json["expansion_factor"] is { } factor ? Read<int>(factor, "expansion_factor") : new SaeRunConfig().ExpansionFactor,
            Training = ReadTraining(training),
        };
        if (defaultResampling) config = config with { Training = config.Training with { Resampling = SaeRunConfig.ResamplingFor(config.Training) } };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e) when (e.ParamName is { } field && typeof(TrainerOptions).GetProperty(field) is not null)
        {
            string key = SaeArchitecture.JsonOptions.PropertyNamingPolicy!.ConvertName(field);
            throw new ArgumentException(SpecChecks.PlainMessage(e, key), key, e);
        }
        return config;
    }

    /// <inheritdoc />
    public override SaeRunConfig Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (JsonNode.Parse(ref reader) is not JsonObject json) throw new JsonException("A run configuration must be a JSON object.");
        try
        {
            return FromJson(json);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, SaeRunConfig value, JsonSerializerOptions options) => ToJson(value).WriteTo(writer);

    private static TrainerOptions ReadTraining(JsonObject training)
    {
        try
        {
            return training.Deserialize<TrainerOptions>(SaeArchitecture.JsonOptions)!;
        }
        catch (JsonException e)
        {
            string key = e.Path is { Length: > 2 } path ? path.TrimStart('$', '.').Split('.', '[')[0] : "training";
            throw new ArgumentException($"'{key}': {e.Message}", key, e);
        }
    }

    private static T Read<T>(JsonNode node, string key)
    {
        SaeArchitecture.CheckType(key, node, typeof(T));
        return node.Deserialize<T>(SaeArchitecture.JsonOptions)!;
    }
}
