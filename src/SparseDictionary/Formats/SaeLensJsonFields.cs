using static SparseDictionary.Formats.StrictJson;
using System.Collections.ObjectModel;
using System.Text.Json;

namespace SparseDictionary.Formats;

/// <summary>
/// The members of one JSON object of <c>cfg.json</c>, in file order, with typed accessors that report a missing or
/// ill-typed key as a <see cref="SaeFormatException"/> naming the file and the key's dotted path.
/// </summary>
internal sealed class SaeLensJsonFields
{
    private readonly string _file;
    private readonly string _prefix;
    private readonly OrderedDictionary<string, JsonElement> _values;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private SaeLensJsonFields(string file, string prefix, OrderedDictionary<string, JsonElement> values)
    {
        _file = file;
        _prefix = prefix;
        _values = values;
    }

    /// <summary>Reads the members of <paramref name="obj"/>; a key that appears twice is an error (JSON leaves it ambiguous).</summary>
    public static SaeLensJsonFields FromObject(JsonElement obj, string file, string prefix)
    {
        var values = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            if (!values.TryAdd(property.Name, property.Value))
            {
                throw SaeFormatException.ForKey(file, prefix + property.Name, "the key appears more than once.");
            }
        }
        return new SaeLensJsonFields(file, prefix, values);
    }

    /// <summary>Members given as values (already outliving their document).</summary>
    public static SaeLensJsonFields FromValues(OrderedDictionary<string, JsonElement> values, string file, string prefix) =>
        new(file, prefix, values);

    /// <summary>A copy whose keys are renamed by <paramref name="renames"/>; two keys that end up with one name are an error.</summary>
    public SaeLensJsonFields Renamed(IReadOnlyDictionary<string, string> renames)
    {
        var values = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach ((string key, JsonElement value) in _values)
        {
            string name = renames.TryGetValue(key, out string? renamed) ? renamed : key;
            if (!values.TryAdd(name, value))
            {
                string legacy = renames.ContainsKey(key) ? key : renames.First(r => r.Value == name).Key;
                throw SaeFormatException.ForKey(_file, _prefix + legacy, $"the file also has '{name}', of which '{legacy}' is the legacy name.");
            }
        }
        return new SaeLensJsonFields(_file, _prefix, values);
    }

    public string File => _file;

    public string PathOf(string key) => _prefix + key;

    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/>, or <see langword="null"/> when absent, without consuming the key.</summary>
    public JsonElement? Peek(string key) => _values.TryGetValue(key, out JsonElement value) ? value : null;

    /// <summary>The value of <paramref name="key"/>, or <see langword="null"/> when absent; the key counts as consumed.</summary>
    public JsonElement? Take(string key)
    {
        _used.Add(key);
        return _values.TryGetValue(key, out JsonElement value) ? value : null;
    }

    public int RequirePositiveInt(string key)
    {
        JsonElement value = Take(key) ?? throw Error(key, "the key is missing.");
        int? parsed = AsInt(key, value);
        if (parsed is not > 0) throw Error(key, $"expected a positive integer, found {Describe(value)}.");
        return parsed.Value;
    }

    public int? OptionalInt(string key) => Take(key) is { ValueKind: not JsonValueKind.Null } value ? AsInt(key, value) : null;

    public string RequireString(string key) =>
        Take(key) is { } value ? AsString(key, value) : throw Error(key, "the key is missing.");

    /// <summary>The string value, <paramref name="fallback"/> when the key is absent; JSON <c>null</c> is an error.</summary>
    public string String(string key, string fallback) => Take(key) is { } value ? AsString(key, value) : fallback;

    public string? OptionalString(string key) => Take(key) is { ValueKind: not JsonValueKind.Null } value ? AsString(key, value) : null;

    /// <summary>The boolean value, <paramref name="fallback"/> when the key is absent; JSON <c>null</c> is an error.</summary>
    public bool Bool(string key, bool fallback) => Take(key) is { } value ? AsBool(key, value) : fallback;

    public bool? OptionalBool(string key) => Take(key) is { ValueKind: not JsonValueKind.Null } value ? AsBool(key, value) : null;

    /// <summary>The members of an object value, or <see langword="null"/> when the key is absent or JSON <c>null</c>.</summary>
    public SaeLensJsonFields? OptionalObject(string key)
    {
        if (Take(key) is not { ValueKind: not JsonValueKind.Null } value) return null;
        if (value.ValueKind != JsonValueKind.Object) throw Error(key, $"expected an object, found {Describe(value)}.");
        return FromObject(value, _file, PathOf(key) + ".");
    }

    /// <summary>Every member not yet consumed, in file order, as values that outlive the parsed document.</summary>
    public IReadOnlyDictionary<string, JsonElement> Rest()
    {
        var rest = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach ((string key, JsonElement value) in _values)
        {
            if (!_used.Contains(key)) rest.Add(key, value.Clone());
        }
        return new ReadOnlyDictionary<string, JsonElement>(rest);
    }

    /// <summary>Every member, in file order, as values that outlive the parsed document.</summary>
    public IReadOnlyDictionary<string, JsonElement> All()
    {
        var all = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach ((string key, JsonElement value) in _values) all.Add(key, value.Clone());
        return new ReadOnlyDictionary<string, JsonElement>(all);
    }

    public SaeFormatException Error(string key, string detail) => SaeFormatException.ForKey(_file, PathOf(key), detail);


    private int AsInt(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int parsed)
            ? parsed
            : throw Error(key, $"expected an integer, found {Describe(value)}.");

    private string AsString(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error(key, $"expected a string, found {Describe(value)}.");

    private bool AsBool(string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error(key, $"expected true or false, found {Describe(value)}."),
    };

}
