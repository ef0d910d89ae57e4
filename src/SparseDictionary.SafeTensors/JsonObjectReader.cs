using System.Collections.ObjectModel;
using System.Text.Json;
using static SparseDictionary.Formats.StrictJson;

namespace SparseDictionary.Formats;

/// <summary>
/// The members of one JSON object of a file (a SAELens or sparsify <c>cfg.json</c>, a Hugging Face <c>config.json</c> or
/// shard index, an activation cache's <c>manifest.json</c>, a training checkpoint's state), in file order, with typed
/// accessors that report a missing, repeated or ill-typed key as the format's own exception, naming the file and the
/// key's path (<c>metadata.hook_name</c>, <c>shards[3].sha256</c>).
/// </summary>
/// <remarks>
/// Every accessor but <see cref="Peek"/> marks its key as read, so <see cref="Rest"/> gives the keys no accessor asked for.
/// Getters come in three kinds: <c>Require…</c> (absent is an error), <c>…(key, fallback)</c> (absent gives the fallback,
/// JSON <c>null</c> is an error) and <c>Optional…</c> (absent or <c>null</c> give <see langword="null"/>).
/// </remarks>
internal sealed class JsonObjectReader
{
    /// <summary>Makes a format's exception for a fault in <paramref name="keyPath"/> (<see langword="null"/>: in the whole file).</summary>
    public delegate Exception ErrorFactory(string filePath, string? keyPath, string detail);

    /// <summary>How a format words the reader's own errors: a missing key, a repeated key, a value of another type.</summary>
    /// <param name="Missing">The detail for a missing key.</param>
    /// <param name="Repeated">The detail for a key that appears more than once.</param>
    /// <param name="Expected">The detail for a value that is not <c>what</c> ("a string", "a positive integer").</param>
    public sealed record Wording(string Missing, string Repeated, Func<string, JsonElement, string> Expected)
    {
        /// <summary>The config readers' wording: "the key is missing.", "expected a string, found the number 3.".</summary>
        public static readonly Wording Config = new(
            "the key is missing.", "the key appears more than once.", (what, found) => $"expected {what}, found {Describe(found)}.");
    }

    private readonly string _prefix;
    private readonly ErrorFactory _error;
    private readonly Wording _wording;
    private readonly OrderedDictionary<string, JsonElement> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    /// <summary>Reads the members of <paramref name="obj"/>; a key that appears twice is an error (JSON leaves it ambiguous).</summary>
    /// <param name="obj">The object; anything else is an error naming <paramref name="prefix"/>'s key, or the file at the root.</param>
    /// <param name="file">The file, for messages.</param>
    /// <param name="error">Makes the format's exception.</param>
    /// <param name="prefix">The path of the object's keys: empty at the root, <c>metadata.</c> or <c>shards[3].</c> inside.</param>
    /// <param name="wording">The format's wording; <see cref="Wording.Config"/> when <see langword="null"/>.</param>
    public JsonObjectReader(JsonElement obj, string file, ErrorFactory error, string prefix = "", Wording? wording = null)
        : this(file, prefix, error, wording ?? Wording.Config, new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal))
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw error(file, prefix.Length == 0 ? null : prefix.TrimEnd('.'), _wording.Expected("a JSON object", obj));
        }
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            if (!_values.TryAdd(property.Name, property.Value)) throw Error(property.Name, _wording.Repeated);
        }
    }

    private JsonObjectReader(string file, string prefix, ErrorFactory error, Wording wording, OrderedDictionary<string, JsonElement> values) =>
        (File, _prefix, _error, _wording, _values) = (file, prefix, error, wording, values);

    /// <summary>Gets the file, for messages.</summary>
    public string File { get; }

    /// <summary>Gets the keys, in file order.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>A reader of <paramref name="values"/> with this one's file, key path and errors.</summary>
    public JsonObjectReader WithValues(OrderedDictionary<string, JsonElement> values) => new(File, _prefix, _error, _wording, values);

    /// <summary>A copy whose keys are renamed by <paramref name="renames"/>; two keys that end up with one name are an error.</summary>
    public JsonObjectReader Renamed(IReadOnlyDictionary<string, string> renames)
    {
        var values = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach ((string key, JsonElement value) in _values)
        {
            string name = renames.TryGetValue(key, out string? renamed) ? renamed : key;
            if (!values.TryAdd(name, value))
            {
                string legacy = renames.ContainsKey(key) ? key : renames.First(r => r.Value == name).Key;
                throw Error(legacy, $"the file also has '{name}', of which '{legacy}' is the legacy name.");
            }
        }
        return WithValues(values);
    }

    /// <summary>The full path of <paramref name="key"/>, as messages name it.</summary>
    public string PathOf(string key) => _prefix + key;

    /// <summary>Whether the object has <paramref name="key"/>.</summary>
    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>The value of <paramref name="key"/>, or <see langword="null"/> when absent, without marking the key read.</summary>
    public JsonElement? Peek(string key) => _values.TryGetValue(key, out JsonElement value) ? value : null;

    /// <summary>The value of <paramref name="key"/>, or <see langword="null"/> when absent; the key counts as read.</summary>
    public JsonElement? Take(string key)
    {
        _read.Add(key);
        return Peek(key);
    }

    /// <summary>The value of <paramref name="key"/>, whatever its type.</summary>
    public JsonElement Require(string key) => Take(key) ?? throw Error(key, _wording.Missing);

    /// <summary>The value of <paramref name="key"/>, which must be of <paramref name="kind"/> (described as <paramref name="what"/>).</summary>
    public JsonElement Require(string key, JsonValueKind kind, string what)
    {
        JsonElement value = Require(key);
        return value.ValueKind == kind ? value : throw Error(key, _wording.Expected(what, value));
    }

    /// <summary>The value of <paramref name="key"/> if of <paramref name="kind"/>, <see langword="null"/> when absent or JSON <c>null</c>.</summary>
    public JsonElement? Optional(string key, JsonValueKind kind, string what) =>
        NonNull(key) is not { } value ? null : value.ValueKind == kind ? value : throw Error(key, _wording.Expected(what, value));

    public string RequireString(string key) => AsString(key, Require(key));

    public string String(string key, string fallback) => Take(key) is { } value ? AsString(key, value) : fallback;

    public string? OptionalString(string key) => NonNull(key) is { } value ? AsString(key, value) : null;

    public bool RequireBool(string key) => AsBool(key, Require(key));

    public bool Bool(string key, bool fallback) => Take(key) is { } value ? AsBool(key, value) : fallback;

    public bool? OptionalBool(string key) => NonNull(key) is { } value ? AsBool(key, value) : null;

    /// <summary>A 32-bit integer of at least <paramref name="min"/> (1: "a positive integer", 0: "a non-negative integer").</summary>
    public int RequireInt(string key, int min = int.MinValue) => (int)AsLong(key, Require(key), min, int.MaxValue);

    public int Int(string key, int fallback, int min = int.MinValue) =>
        Take(key) is { } value ? (int)AsLong(key, value, min, int.MaxValue) : fallback;

    public int? OptionalInt(string key, int min = int.MinValue) =>
        NonNull(key) is { } value ? (int)AsLong(key, value, min, int.MaxValue) : null;

    /// <summary>A 64-bit integer.</summary>
    public long RequireLong(string key) => AsLong(key, Require(key), long.MinValue, long.MaxValue);

    public double RequirePositiveDouble(string key) => AsPositiveDouble(key, Require(key));

    public double? OptionalPositiveDouble(string key) => NonNull(key) is { } value ? AsPositiveDouble(key, value) : null;

    public JsonElement RequireArray(string key) => Require(key, JsonValueKind.Array, "an array");

    /// <summary>The elements of an array of objects (<c>key[0].</c>, <c>key[1].</c>, ... name their keys).</summary>
    public IEnumerable<JsonObjectReader> RequireObjects(string key) =>
        RequireArray(key).EnumerateArray().Select((element, i) => Nested(element, $"{PathOf(key)}[{i}]."));

    public JsonObjectReader RequireObject(string key) => Nested(Require(key, JsonValueKind.Object, "an object"), PathOf(key) + ".");

    /// <summary>The members of an object value, or <see langword="null"/> when the key is absent or JSON <c>null</c>.</summary>
    public JsonObjectReader? OptionalObject(string key) =>
        Optional(key, JsonValueKind.Object, "an object") is { } value ? Nested(value, PathOf(key) + ".") : null;

    /// <summary>Every member not yet read, in file order, as values that outlive the parsed document.</summary>
    public IReadOnlyDictionary<string, JsonElement> Rest() => Copy(key => !_read.Contains(key));

    /// <summary>Every member, in file order, as values that outlive the parsed document.</summary>
    public IReadOnlyDictionary<string, JsonElement> All() => Copy(_ => true);

    /// <summary>The format's exception for <paramref name="key"/> of this object.</summary>
    public Exception Error(string key, string detail) => _error(File, PathOf(key), detail);


    private JsonObjectReader Nested(JsonElement obj, string prefix) => new(obj, File, _error, prefix, _wording);

    private JsonElement? NonNull(string key) => Take(key) is { ValueKind: not JsonValueKind.Null } value ? value : null;

    private ReadOnlyDictionary<string, JsonElement> Copy(Func<string, bool> include)
    {
        var copy = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach ((string key, JsonElement value) in _values)
        {
            if (include(key)) copy.Add(key, value.Clone());
        }
        return new ReadOnlyDictionary<string, JsonElement>(copy);
    }

    private string AsString(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error(key, _wording.Expected("a string", value));

    private bool AsBool(string key, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error(key, _wording.Expected("true or false", value)),
    };

    private long AsLong(string key, JsonElement value, long min, long max) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long parsed) && parsed >= min && parsed <= max
            ? parsed
            : throw Error(key, _wording.Expected(min switch
            {
                1 => "a positive integer",
                0 => "a non-negative integer",
                int.MinValue or long.MinValue => "an integer",
                _ => $"an integer of at least {min}",
            }, value));

    private double AsPositiveDouble(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double parsed) && double.IsFinite(parsed) && parsed > 0
            ? parsed
            : throw Error(key, _wording.Expected("a positive number", value));
}
