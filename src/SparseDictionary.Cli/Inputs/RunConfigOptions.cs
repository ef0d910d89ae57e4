using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using SparseDictionary.Autoencoders;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Training;

namespace SparseDictionary.Cli.Inputs;

/// <summary>
/// The options that describe one training run: <c>--architecture</c>, every registered architecture's parameters
/// (<see cref="SaeArchitecture.Parameters"/>) and the run settings, each named as in sweep files and <c>results.json</c>
/// in kebab-case (<c>--l1-coefficient</c> for <c>l1_coefficient</c>), some with a short alias (<c>--l1</c>). The values
/// become one flat JSON object read by <see cref="SaeRunConfigJson"/>, so validation is the library's.
/// </summary>
internal sealed class RunConfigOptions
{
    // Run settings the command line offers, with their short aliases.
    private static readonly (string Field, string[] Aliases)[] RunFields =
    [
        ("expansion_factor", ["--expansion"]),
        ("total_steps", ["--steps"]),
        ("batch_size", ["--batch"]),
        ("learning_rate", ["--lr"]),
        ("learning_rate_shape", ["--schedule"]),
        ("warmup_steps", ["--warmup"]),
        ("l1_warmup_steps", []),
        ("seed", []),
    ];

    private static readonly Dictionary<string, string[]> ParameterAliases = new() { ["l1_coefficient"] = ["--l1"] };

    private readonly List<(string Field, Type Type, Option<string?> Option)> _values = [];

    /// <summary>Creates the options.</summary>
    public RunConfigOptions()
    {
        Architecture = OptionFactory.OneOf("--architecture",
            "The SAE architecture: " + string.Join("; ", SaeArchitectures.All.Select(a => $"{a.Name}: {a.Summary}")),
            [.. SaeArchitectures.Names, .. SaeArchitectures.Names.Where(n => n.Contains('_')).Select(n => n.Replace('_', '-'))],
            StandardArchitecture.ArchitectureName);
        JsonObject defaults = SaeRunConfigJson.ToJson(new SaeRunConfig());
        foreach ((string field, string[] aliases) in RunFields)
        {
            Add(field, SaeRunConfigJson.RunFieldType(field)!, aliases, Describe(field), defaults[field]);
        }
        foreach (SpecParameter parameter in SaeArchitectures.All.SelectMany(a => a.Parameters).DistinctBy(p => p.Name))
        {
            string[] users = [.. SaeArchitectures.All.Where(a => a.Parameters.Any(p => p.Name == parameter.Name)).Select(a => a.Name)];
            Add(parameter.Name, parameter.Type, ParameterAliases.GetValueOrDefault(parameter.Name, []),
                $"{parameter.Description} ({string.Join(", ", users)}; {parameter.TypeName})", parameter.Default);
        }
    }

    /// <summary><c>--architecture</c>.</summary>
    public Option<string> Architecture { get; }

    /// <summary><c>--resampling</c>: Anthropic's neuron resampling every quarter of the run.</summary>
    public Option<bool> Resampling { get; } = new("--resampling") { Description = "Resample dead latents (Anthropic's recipe) every quarter of the run." };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Architecture);
        foreach ((_, _, Option<string?> option) in _values) command.Options.Add(option);
        command.Options.Add(Resampling);
    }

    /// <summary>The run the options describe, named <paramref name="name"/>.</summary>
    /// <exception cref="CliException">A value does not parse, or is not a parameter of the chosen architecture, or is out of range.</exception>
    public SaeRunConfig Read(ParseResult parsed, string name)
    {
        string architecture = parsed.GetRequiredValue(Architecture);
        var json = new JsonObject { ["name"] = name, ["architecture"] = architecture };
        bool warmupGiven = false;
        foreach ((string field, Type type, Option<string?> option) in _values)
        {
            if (parsed.GetValue(option) is not { } text) continue;
            json[field] = ToJson(option.Name, text, type);
            warmupGiven |= field == "warmup_steps";
        }
        // The default warm-up (50 steps) is cut to a shorter run's length rather than refused.
        if (!warmupGiven && json["total_steps"]?.GetValue<long>() is long steps)
        {
            json["warmup_steps"] = Math.Min(SaeRunConfig.DefaultTraining.WarmupSteps, steps);
        }
        SaeRunConfig config;
        try
        {
            config = SaeRunConfigJson.FromJson(json);
        }
        catch (ArgumentException e)
        {
            string option = e.ParamName is { } key ? SpecParameter.OptionNameOf(key) : "--architecture";
            throw CliException.Usage($"{option}: {SpecChecks.PlainMessage(e)}");
        }
        TrainerOptions training = config.Training;
        if (parsed.GetValue(Resampling)) training = training with { Resampling = SaeRunConfig.ResamplingFor(training) };
        return config with { Training = training };
    }

    private void Add(string field, Type type, string[] aliases, string description, JsonNode? defaultValue)
    {
        var option = new Option<string?>(SpecParameter.OptionNameOf(field), aliases)
        {
            Description = defaultValue is null ? description : $"{description} [default: {defaultValue.ToJsonString().Trim('"')}]",
            HelpName = HelpName(type),
        };
        _values.Add((field, type, option));
    }

    private static string HelpName(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum) return string.Join('|', SpecParameter.ChoicesOf(t));
        if (t == typeof(int) || t == typeof(long)) return "n";
        if (t == typeof(double)) return "x";
        return t.IsAssignableTo(typeof(System.Collections.IEnumerable)) ? "n,n,..." : "value";
    }

    // A command-line value as the JSON value its field takes: numbers and lists of numbers (comma-separated), booleans,
    // and names (enum values), which the library then checks.
    private static JsonNode ToJson(string option, string text, Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int) || t == typeof(long)) return JsonValue.Create(ParseWhole(option, text));
        if (t == typeof(double)) return JsonValue.Create(ParseNumber(option, text));
        if (t == typeof(bool)) return bool.TryParse(text, out bool b) ? JsonValue.Create(b) : throw CliException.Usage($"{option}: '{text}' is not true or false.");
        if (t.IsAssignableTo(typeof(IEnumerable<int>)) || t == typeof(IReadOnlyList<int>))
        {
            return new JsonArray([.. text.Split(',', StringSplitOptions.TrimEntries).Select(v => (JsonNode)JsonValue.Create(ParseWhole(option, v)))]);
        }
        if (t.IsAssignableTo(typeof(IEnumerable<double>)) || t == typeof(IReadOnlyList<double>))
        {
            return new JsonArray([.. text.Split(',', StringSplitOptions.TrimEntries).Select(v => (JsonNode)JsonValue.Create(ParseNumber(option, v)))]);
        }
        return JsonValue.Create(text);
    }

    private static long ParseWhole(string option, string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw CliException.Usage($"{option}: '{text}' is not a whole number.");

    private static double ParseNumber(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw CliException.Usage($"{option}: '{text}' is not a number.");

    private static string Describe(string field) => field switch
    {
        "expansion_factor" => "Latents per input dimension.",
        "total_steps" => "Optimiser steps.",
        "batch_size" => "Tokens per step.",
        "learning_rate" => "Peak learning rate.",
        "learning_rate_shape" => "Learning-rate shape after the warm-up.",
        "warmup_steps" => "Steps of learning-rate warm-up.",
        "l1_warmup_steps" => "Steps over which the sparsity coefficient ramps up from 0.",
        "seed" => "Seed of the initialisation, the shuffling and resampling.",
        _ => field,
    };
}
