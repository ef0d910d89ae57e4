using System.Globalization;

namespace SparseDictionary.Cli.Inputs;

/// <summary>Parses a <c>--layers</c> value: comma-separated zero-based layers and inclusive ranges, such as <c>2,3</c> or <c>0-3,6</c>.</summary>
internal static class LayerList
{
    /// <summary>Parses <paramref name="text"/> into distinct layers in ascending order, or returns an error message.</summary>
    public static (int[]? Layers, string? Error) Parse(string text)
    {
        var layers = new SortedSet<int>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (part.Length == 0 || bounds.Length > 2 || !bounds.All(IsLayer))
            {
                return (null, $"'{text}' is not a list of layers such as 2,3 or 0-3 (zero-based, comma-separated).");
            }
            int first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            int last = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
            if (last < first) return (null, $"the range '{part}' is empty; write the lower layer first.");
            for (int layer = first; layer <= last; layer++)
            {
                if (!layers.Add(layer)) return (null, $"layer {layer} is listed twice in '{text}'.");
            }
        }
        return ([.. layers], null);
    }

    private static bool IsLayer(string s) =>
        s.Length is > 0 and < 6 && s.All(char.IsAsciiDigit);
}
