using System.Globalization;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>The harness's command-line options (<c>--name value</c> pairs and <c>--flag</c>s).</summary>
internal sealed class HarnessArgs(string[] args)
{
    public string? Value(string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public bool Flag(string name) => args.Contains(name);

    public int Int(string name, int fallback) => Value(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<string> List(string name, params string[] fallback) =>
        Value(name) is { } v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : fallback;

    public IReadOnlyList<double> Doubles(string name, params double[] fallback) =>
        Value(name) is { } v ? v.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;
}
