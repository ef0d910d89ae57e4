namespace SparseDictionary.Llama.Corpus;

/// <summary>Recognises WikiText top-level headings such as <c> = Title = </c>.</summary>
internal static class WikiTextHeadings
{
    /// <summary>Returns the title when <paramref name="line"/> is a top-level heading (one '=' each side), else null.</summary>
    public static string? TopLevelTitle(string line)
    {
        ReadOnlySpan<char> s = line.AsSpan().Trim();
        if (s.Length < 5 || !s.StartsWith("= ") || !s.EndsWith(" =")) return null;
        ReadOnlySpan<char> inner = s[2..^2].Trim();
        // Sub-headings are "= = Section = =": their inner text starts and ends with '='.
        if (inner.Length == 0 || inner[0] == '=' || inner[^1] == '=') return null;
        return inner.ToString();
    }
}
