using System.Globalization;
using System.Text.Json;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>One measured row: what, where, the time, and its dense-equivalent FLOP rate against the matmul peak.</summary>
internal sealed record Measurement(string Section, string Device, string DType, string Shape, string Operation, double Seconds, double Flops, double PeakFlopsPerSecond, string Note = "", double? Activity = null)
{
    public double FlopsPerSecond => Flops / Seconds;
    public double Roofline => PeakFlopsPerSecond > 0 ? FlopsPerSecond / PeakFlopsPerSecond : double.NaN;
}

/// <summary>Prints measurements as a Markdown table as they come, and optionally writes them as JSON.</summary>
internal sealed class Report(string? jsonPath)
{
    private readonly List<Measurement> _rows = new();
    private string? _section;

    public void Add(Measurement m)
    {
        if (m.Section != _section)
        {
            _section = m.Section;
            Console.WriteLine();
            Console.WriteLine($"### {m.Section}");
            Console.WriteLine();
            Console.WriteLine("| device | dtype | shape | operation | ms | GFLOP/s (dense-equivalent) | of matmul peak | note |");
            Console.WriteLine("|---|---|---|---|---:|---:|---:|---|");
        }
        _rows.Add(m);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {m.Device} | {m.DType} | {m.Shape} | {m.Operation} | {m.Seconds * 1000:F1} | {(m.Flops > 0 ? (m.FlopsPerSecond / 1e9).ToString("F1", CultureInfo.InvariantCulture) : "")} | {(m.Flops > 0 && m.PeakFlopsPerSecond > 0 ? m.Roofline.ToString("P0", CultureInfo.InvariantCulture) : "")} | {m.Note} |"));
    }

    public void Write()
    {
        if (jsonPath is null) return;
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(_rows, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Console.WriteLine($"wrote {jsonPath}");
    }
}
