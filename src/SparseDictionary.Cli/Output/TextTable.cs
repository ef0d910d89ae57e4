namespace SparseDictionary.Cli.Output;

/// <summary>A plain-text table with a header and left-aligned columns (numbers right-aligned), for standard output.</summary>
/// <param name="headers">The column headers.</param>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>Adds a row; it must have one cell per header.</summary>
    public void Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException($"Expected {headers.Length} cells, got {cells.Length}.", nameof(cells));
        _rows.Add(cells);
    }

    /// <summary>Writes the header, a rule and the rows.</summary>
    public void WriteTo(TextWriter writer)
    {
        int[] widths = [.. headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max())];
        bool[] numeric = [.. headers.Select((_, i) => _rows.Count > 0 && _rows.All(r => IsNumber(r[i])))];
        writer.WriteLine(Line(headers, widths, numeric));
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (string[] row in _rows) writer.WriteLine(Line(row, widths, numeric));
    }

    private static string Line(string[] cells, int[] widths, bool[] numeric) =>
        string.Join("  ", cells.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();

    private static bool IsNumber(string cell) =>
        cell.Length > 0 && cell.All(ch => char.IsAsciiDigit(ch) || ch is ',' or '.' or '-' or '+' or 'e' or 'E') || cell is "NaN";
}
