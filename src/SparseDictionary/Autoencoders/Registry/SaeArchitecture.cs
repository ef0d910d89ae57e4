using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SparseDictionary.Formats;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// One architecture's entry in the registry (<see cref="SaeArchitectures"/>): its name as SAELens writes it in
/// <c>cfg.json</c>, its spec type and defaults (which build its SAE and its loss), its parameters by their shared names,
/// and how its SAEs map to SAELens folders. Every place that needs to know an architecture asks its entry.
/// </summary>
public abstract class SaeArchitecture
{
    /// <summary>
    /// The JSON conventions of architecture parameters: snake_case names and enum values, unknown names rejected, and
    /// only settable properties written (a spec's <see cref="ArchitectureSpec.Architecture"/> and
    /// <see cref="ArchitectureSpec.Sparsity"/> are derived). The command line uses the same names in kebab-case.
    /// </summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        IgnoreReadOnlyProperties = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    private IReadOnlyList<SpecParameter>? _parameters;

    /// <summary>
    /// The name: <see cref="ISparseAutoencoder.Architecture"/> of its SAEs, the <c>architecture</c> of SAELens configs
    /// (for the training-only architectures, SAELens's training name), and the value of <c>--architecture</c>.
    /// </summary>
    public abstract string Name { get; }

    /// <summary>One line for help texts: the architecture and its paper.</summary>
    public abstract string Summary { get; }

    /// <summary>The concrete <see cref="ArchitectureSpec"/> record of this architecture.</summary>
    public abstract Type SpecType { get; }

    /// <summary>The spec with every parameter at its default.</summary>
    public abstract ArchitectureSpec DefaultSpec { get; }

    /// <summary>How its SAEs are written to (and, where SAELens has the architecture, read from) SAELens folders.</summary>
    internal abstract SaeLensMapping SaeLens { get; }

    /// <summary>The parameters of <see cref="SpecType"/> by their snake_case names, with their types and defaults.</summary>
    public IReadOnlyList<SpecParameter> Parameters => _parameters ??= [.. JsonProperties(SpecType)
        .Select(f => new SpecParameter(f.Name, f.Property.PropertyType,
            f.Property.GetCustomAttribute<System.ComponentModel.DescriptionAttribute>()?.Description ?? f.Property.Name,
            JsonSerializer.SerializeToNode(f.Property.GetValue(DefaultSpec), f.Property.PropertyType, JsonOptions)))];

    /// <summary>
    /// The properties of <paramref name="type"/> that <see cref="JsonOptions"/> reads and writes (public, settable, not
    /// ignored), each with its snake_case name: an architecture's parameters, or <see cref="Training.TrainerOptions"/>' fields.
    /// </summary>
    public static IReadOnlyList<(string Name, PropertyInfo Property)> JsonProperties(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => (JsonOptions.PropertyNamingPolicy!.ConvertName(p.Name), p))];
    }

    /// <summary>
    /// Reads a spec of this architecture from its parameters by snake_case name (missing ones keep their defaults) and
    /// validates it.
    /// </summary>
    /// <param name="parameters">Parameter name → JSON value.</param>
    /// <exception cref="ArgumentException">
    /// A parameter is not one of this architecture's (the message lists them), has the wrong type, or is out of range;
    /// <see cref="ArgumentException.ParamName"/> is the parameter's name.
    /// </exception>
    public ArchitectureSpec ReadSpec(IEnumerable<KeyValuePair<string, JsonNode?>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var json = new JsonObject();
        foreach ((string name, JsonNode? value) in parameters)
        {
            var parameter = Parameters.FirstOrDefault(p => p.Name == name)
                ?? throw new ArgumentException(
                    $"'{name}' is not a parameter of the {Name} architecture; its parameters are {string.Join(", ", Parameters.Select(p => p.Name))}.", name);
            CheckType(name, value, parameter.Type, $" ({Name} architecture)");
            json[name] = value?.DeepClone();
        }
        var spec = (ArchitectureSpec)(json.Deserialize(SpecType, JsonOptions) ?? DefaultSpec);
        try
        {
            spec.Validate();
        }
        catch (ArgumentException e) when (e.ParamName is { } property && SpecType.GetProperty(property) is not null)
        {
            string key = JsonOptions.PropertyNamingPolicy!.ConvertName(property);
            throw new ArgumentException($"{SpecChecks.PlainMessage(e, key).TrimEnd('.')} ({Name} architecture).", key, e);
        }
        return spec;
    }

    /// <summary>The parameters of <paramref name="spec"/> by snake_case name (what <see cref="ReadSpec"/> reads back).</summary>
    public JsonObject WriteSpec(ArchitectureSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.GetType() != SpecType) throw new ArgumentException($"A {spec.GetType().Name} is not a spec of the {Name} architecture.", nameof(spec));
        return JsonSerializer.SerializeToNode(spec, SpecType, JsonOptions)!.AsObject();
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> named <paramref name="key"/> unless <paramref name="value"/> reads as a
    /// <paramref name="type"/> under <see cref="JsonOptions"/>: "<c>k must be a whole number, not "x"</c>".
    /// </summary>
    /// <param name="key">The field's snake_case name.</param>
    /// <param name="value">Its JSON value.</param>
    /// <param name="type">The .NET type it must read as.</param>
    /// <param name="suffix">Appended to the message, before the full stop (which architecture, say).</param>
    public static void CheckType(string key, JsonNode? value, Type type, string suffix = "")
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            _ = value?.Deserialize(type, JsonOptions);
            if (value is null && type.IsValueType && Nullable.GetUnderlyingType(type) is null) throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{key} must be {SpecParameter.Describe(type)}, not {value?.ToJsonString() ?? "null"}{suffix}.", key, e);
        }
    }
}

/// <summary>One parameter of an architecture spec.</summary>
/// <param name="Name">Its snake_case name (sweep files, <c>results.json</c>); the command line's option is its kebab-case.</param>
/// <param name="Type">Its .NET type.</param>
/// <param name="Description">What it sets.</param>
/// <param name="Default">Its default, as JSON (<see langword="null"/> for a derived default).</param>
public sealed record SpecParameter(string Name, Type Type, string Description, JsonNode? Default)
{
    /// <summary>The option name on the command line: <c>--l1-coefficient</c>.</summary>
    public string OptionName => OptionNameOf(Name);

    /// <summary>The command-line option of the snake_case field <paramref name="name"/>: its kebab-case with <c>--</c>.</summary>
    public static string OptionNameOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "--" + name.Replace('_', '-');
    }

    /// <summary>What values <see cref="Type"/> takes, in words: a number, a whole number, a list of whole numbers, one of …</summary>
    public string TypeName => Describe(Type);

    /// <summary>What values <paramref name="type"/> takes, in words (<see cref="TypeName"/>).</summary>
    public static string Describe(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int) || t == typeof(long)) return "a whole number";
        if (t == typeof(double)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(string)) return "a string";
        if (t.IsEnum) return "one of " + string.Join(", ", ChoicesOf(t));
        if (t.IsAssignableTo(typeof(IEnumerable<int>))) return "a list of whole numbers";
        if (t.IsAssignableTo(typeof(IEnumerable<double>))) return "a list of numbers";
        return $"a {t.Name} object";
    }

    /// <summary>Enum parameters: the allowed values in snake_case; otherwise empty.</summary>
    public IReadOnlyList<string> Choices => ChoicesOf(Type);

    /// <summary>The values an enum (or nullable enum) <paramref name="type"/> takes in JSON, in snake_case; empty for other types.</summary>
    public static IReadOnlyList<string> ChoicesOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsEnum ? [.. Enum.GetNames(t).Select(n => SaeArchitecture.JsonOptions.PropertyNamingPolicy!.ConvertName(n))] : [];
    }
}

/// <summary>
/// The registry entry of an architecture whose spec is <typeparamref name="TSpec"/>: name, summary, spec type and defaults
/// from the constructor; the entry adds its SAELens mapping.
/// </summary>
/// <typeparam name="TSpec">The architecture's spec record.</typeparam>
public abstract class SaeArchitecture<TSpec> : SaeArchitecture where TSpec : ArchitectureSpec, new()
{
    /// <summary>Creates the entry.</summary>
    /// <param name="name">The name (<see cref="SaeArchitecture.Name"/>).</param>
    /// <param name="summary">One line for help texts.</param>
    private protected SaeArchitecture(string name, string summary)
    {
        Name = name;
        Summary = summary;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public override string Summary { get; }

    /// <inheritdoc />
    public override Type SpecType => typeof(TSpec);

    /// <inheritdoc />
    public override ArchitectureSpec DefaultSpec { get; } = new TSpec();
}
