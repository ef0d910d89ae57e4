using System.CommandLine;
using System.Globalization;

namespace SparseDictionary.Cli.Inputs;

/// <summary>Options with validation that several commands share the shape of.</summary>
internal static class OptionFactory
{
    /// <summary>A whole number that must be positive, with a default.</summary>
    public static Option<int> PositiveInt(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = "n",
        CustomParser = result => (int)(ParsePositive(result, name, int.MaxValue) ?? defaultValue),
    };

    /// <summary>A count of tokens that must be positive, or absent.</summary>
    public static Option<long?> TokenCount(string name, string description, long? defaultValue = null)
    {
        var option = new Option<long?>(name)
        {
            Description = description,
            HelpName = "n",
            CustomParser = result => ParsePositive(result, name, long.MaxValue) ?? defaultValue,
        };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    /// <summary>A zero-based index (a layer), or absent.</summary>
    public static Option<int?> Index(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "n",
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return null;
            string token = result.Tokens[0].Value;
            if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int value)) return value;
            result.AddError($"{name}: '{token}' is not a whole number of zero or more.");
            return null;
        },
    };

    // Parses the option's token ourselves: validators run even when the built-in conversion failed, and then reading the
    // value throws instead of reporting.
    private static long? ParsePositive(System.CommandLine.Parsing.ArgumentResult result, string name, long max)
    {
        if (result.Tokens.Count == 0) return null;
        string token = result.Tokens[0].Value;
        if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) || value > max)
        {
            result.AddError($"{name}: '{token}' is not a whole number.");
            return null;
        }
        if (value <= 0)
        {
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be a positive whole number, not {value}."));
            return null;
        }
        return value;
    }

    /// <summary>A name from a fixed list, with a default; help shows the list, and an error names the option.</summary>
    public static Option<string> OneOf(string name, string description, string[] values, string defaultValue)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            HelpName = string.Join('|', values),
        };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string>();
            if (value is null || !values.Contains(value, StringComparer.Ordinal))
            {
                result.AddError($"{name}: '{value}' is not one of {string.Join(", ", values)}.");
            }
        });
        return option;
    }

    /// <summary>Whether the user typed <paramref name="option"/> (rather than it taking its default).</summary>
    public static bool WasGiven(ParseResult parsed, Option option) => parsed.GetResult(option) is { Implicit: false };

    /// <summary>A finite number that must be ≥ 0 (or > 0 when <paramref name="positive"/>), with a default.</summary>
    public static Option<double> Number(string name, string description, double defaultValue, bool positive = false) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = "x",
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return defaultValue;
            string token = result.Tokens[0].Value;
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                result.AddError($"{name}: '{token}' is not a number.");
                return defaultValue;
            }
            if (value < 0 || (positive && value == 0))
            {
                result.AddError($"{name} must be {(positive ? "positive" : "≥ 0")}, not {token}.");
            }
            return value;
        },
    };
}
