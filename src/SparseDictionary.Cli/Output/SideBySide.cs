namespace SparseDictionary.Cli.Output;

/// <summary>Two texts in two columns, each word-wrapped to its width, with a heading over each.</summary>
internal static class SideBySide
{
    /// <summary>Writes <paramref name="left"/> and <paramref name="right"/> side by side.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="leftHeading">The left column's heading.</param>
    /// <param name="left">The left text; line breaks are kept.</param>
    /// <param name="rightHeading">The right column's heading.</param>
    /// <param name="right">The right text.</param>
    /// <param name="width">The width of each column.</param>
    public static void Write(TextWriter writer, string leftHeading, string left, string rightHeading, string right, int width = 48)
    {
        List<string> a = Wrap(left, width);
        List<string> b = Wrap(right, width);
        writer.WriteLine($"{leftHeading.PadRight(width)} | {rightHeading}");
        writer.WriteLine($"{new string('-', width)}-+-{new string('-', width)}");
        for (int i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            string l = i < a.Count ? a[i] : "";
            string r = i < b.Count ? b[i] : "";
            writer.WriteLine($"{l.PadRight(width)} | {r}".TrimEnd());
        }
    }

    /// <summary>Splits <paramref name="text"/> into lines of at most <paramref name="width"/> characters, at spaces where possible.</summary>
    public static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        foreach (string paragraph in text.Replace("\r", "").Split('\n'))
        {
            string rest = paragraph;
            while (rest.Length > width)
            {
                int cut = rest.LastIndexOf(' ', width);
                if (cut <= 0) cut = width;
                lines.Add(rest[..cut]);
                rest = rest[cut..].TrimStart(' ');
            }
            lines.Add(rest);
        }
        return lines;
    }
}
