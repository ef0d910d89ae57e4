using System.Globalization;
using System.Text.Json;
using SparseDictionary.Formats;

namespace SparseDictionary.Cli.Output;

/// <summary>What <c>sdict eval</c> measured: where, on how many tokens, and every metric by its SAELens-style name.</summary>
/// <param name="Sae">The SAE folder.</param>
/// <param name="Model">The model path.</param>
/// <param name="HookName">The hook point evaluated.</param>
/// <param name="Corpus">The corpus path.</param>
/// <param name="ReconstructionTokens">Tokens the reconstruction and sparsity metrics were computed over.</param>
/// <param name="ScoredTokens">Next-token predictions the cross-entropy metrics were computed over.</param>
/// <param name="Metrics">The metrics.</param>
internal sealed record MetricsReport(
    string Sae, string Model, string HookName, string Corpus, long ReconstructionTokens, long ScoredTokens,
    IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>Writes the metrics as a table, one per line, sorted by name.</summary>
    public void WriteTable(TextWriter writer)
    {
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SAE {Sae} at {HookName}: {ReconstructionTokens:N0} tokens, {ScoredTokens:N0} scored next-token predictions"));
        var table = new TextTable("metric", "value");
        foreach ((string name, double value) in Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            table.Add(name, value.ToString("G6", CultureInfo.InvariantCulture));
        }
        table.WriteTo(writer);
    }

    /// <summary>Writes the report as JSON to <paramref name="path"/>, atomically; NaN and infinities are written as null.</summary>
    public void WriteJson(string path)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw CliException.NotFound("--json", folder, "folder");
        }
        AtomicFile.Write(full, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("sae", Sae);
            json.WriteString("model", Model);
            json.WriteString("hook_name", HookName);
            json.WriteString("corpus", Corpus);
            json.WriteNumber("reconstruction_tokens", ReconstructionTokens);
            json.WriteNumber("scored_tokens", ScoredTokens);
            json.WriteStartObject("metrics");
            foreach ((string name, double value) in Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                if (double.IsFinite(value)) json.WriteNumber(name, value);
                else json.WriteNull(name);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }
}
