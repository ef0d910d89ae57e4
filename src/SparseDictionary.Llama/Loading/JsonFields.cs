using SparseDictionary.Formats;
using static SparseDictionary.Formats.StrictJson;
using System.Text.Json;

namespace SparseDictionary.Llama;

/// <summary>
/// The members of one JSON object with typed accessors that report a missing or ill-typed key as a
/// <see cref="ModelFormatException"/> naming the file and the key.
/// </summary>
internal sealed class JsonFields
{
    private readonly string _file;
    private readonly Dictionary<string, JsonElement> _values;

    private JsonFields(string file, Dictionary<string, JsonElement> values)
    {
        _file = file;
        _values = values;
    }

    /// <summary>Reads the members of <paramref name="obj"/>; a key that appears twice is an error (JSON leaves it ambiguous).</summary>
    public static JsonFields FromObject(JsonElement obj, string file)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            if (!values.TryAdd(property.Name, property.Value))
            {
                throw ModelFormatException.ForField(file, property.Name, "the key appears more than once.");
            }
        }
        return new JsonFields(file, values);
    }

    /// <summary>The value of <paramref name="key"/>, or <see langword="null"/> when the key is absent.</summary>
    public JsonElement? Get(string key) => _values.TryGetValue(key, out JsonElement value) ? value : null;

    public int RequirePositiveInt(string key) =>
        Get(key) is { } value ? PositiveInt(key, value) : throw Error(key, "the key is missing.");

    /// <summary>The positive integer value, <paramref name="fallback"/> when the key is absent or null.</summary>
    public int PositiveInt(string key, int fallback) =>
        Get(key) is { ValueKind: not JsonValueKind.Null } value ? PositiveInt(key, value) : fallback;

    public double RequirePositiveDouble(string key) =>
        Get(key) is { } value ? PositiveDouble(key, value) : throw Error(key, "the key is missing.");

    /// <summary>The positive finite value, <paramref name="fallback"/> when the key is absent or null.</summary>
    public double PositiveDouble(string key, double fallback) =>
        Get(key) is { ValueKind: not JsonValueKind.Null } value ? PositiveDouble(key, value) : fallback;

    /// <summary>The boolean value, <paramref name="fallback"/> when the key is absent or null.</summary>
    public bool Bool(string key, bool fallback) => Get(key) switch
    {
        null or { ValueKind: JsonValueKind.Null } => fallback,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { } value => throw Error(key, $"expected true or false, found {Describe(value)}."),
    };

    /// <summary>The string value, or <see langword="null"/> when the key is absent or null.</summary>
    public string? OptionalString(string key) => Get(key) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        { } value => throw Error(key, $"expected a string, found {Describe(value)}."),
    };

    /// <summary>
    /// A token id: <paramref name="fallback"/> when the key is absent, <see langword="null"/> for JSON null, the first
    /// element of a list (newer configurations list several end-of-sequence ids).
    /// </summary>
    public int? TokenId(string key, int? fallback)
    {
        if (Get(key) is not { } value) return fallback;
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Array)
        {
            if (value.GetArrayLength() == 0) throw Error(key, "expected a token id or a non-empty list of them, found an empty list.");
            value = value[0];
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && id >= 0
            ? id
            : throw Error(key, $"expected a non-negative integer token id, found {Describe(value)}.");
    }

    public ModelFormatException Error(string key, string detail) => ModelFormatException.ForField(_file, key, detail);


    private int PositiveInt(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int parsed) && parsed > 0
            ? parsed
            : throw Error(key, $"expected a positive integer, found {Describe(value)}.");

    private double PositiveDouble(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double parsed) && double.IsFinite(parsed) && parsed > 0
            ? parsed
            : throw Error(key, $"expected a positive number, found {Describe(value)}.");

}
