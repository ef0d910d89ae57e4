using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Evaluation;
using SparseDictionary.Formats;

namespace SparseDictionary.Experiments.Results;

/// <summary>Writes an experiment's results as <c>results.json</c>, <c>results.csv</c> and a console table.</summary>
public static class ResultsWriter
{
    /// <summary>The JSON file's name.</summary>
    public const string JsonFileName = "results.json";

    /// <summary>The CSV file's name.</summary>
    public const string CsvFileName = "results.csv";

    /// <summary>The metrics of the table and the CSV, in column order, with their short headers.</summary>
    public static IReadOnlyList<(string Metric, string Header)> Columns { get; } =
    [
        (MetricNames.Mse, "mse"),
        (MetricNames.ExplainedVariance, "explained_variance"),
        (MetricNames.L0, "l0"),
        (MetricNames.DeadFraction, "dead_fraction"),
        (LossRecoveredMetricNames.CeLossScore, "ce_loss_score"),
        (LossRecoveredMetricNames.CeLossWithSae, "ce_loss_with_sae"),
        (LossRecoveredMetricNames.CeLossWithoutSae, "ce_loss_without_sae"),
        (LossRecoveredMetricNames.CeLossWithAblation, "ce_loss_with_ablation"),
        (LossRecoveredMetricNames.KlDivWithSae, "kl_div_with_sae"),
    ];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <c>results.json</c> and <c>results.csv</c> into <paramref name="folder"/> (created if needed), atomically.</summary>
    public static void Write(SeedExperimentResult result, string folder)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(folder);
        AtomicFile.Write(Path.Combine(folder, JsonFileName), s => JsonSerializer.Serialize(s, result, Json));
        AtomicFile.Write(Path.Combine(folder, CsvFileName), s =>
        {
            using var w = new StreamWriter(s, new UTF8Encoding(false), leaveOpen: true);
            w.Write(Csv(result.Runs));
        });
    }

    /// <summary>Reads back a <c>results.json</c> written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a results file.</exception>
    public static SeedExperimentResult Read(string path)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<SeedExperimentResult>(stream, Json) ?? throw new InvalidDataException($"'{path}' holds null, not results.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a results file: {e.Message}", e);
        }
    }

    /// <summary>One CSV row per run: where, what, and the <see cref="Columns"/> metrics.</summary>
    public static string Csv(IEnumerable<RunResult> runs)
    {
        var text = new StringBuilder();
        text.Append("layer,hook_point,family,variant,name,architecture,parameters,sparsity,learning_rate_shape,resampling,steps,expansion_factor,");
        text.AppendLine(string.Join(',', Columns.Select(c => c.Header).Append("latents_resampled").Append("train_seconds").Append("eval_seconds")));
        foreach (RunResult r in runs)
        {
            var fields = new List<string>
            {
                Invariant(r.Layer), r.HookPoint, r.Family, r.Variant, r.Config.Name, r.Config.Architecture.Architecture.Name,
                Parameters(r.Config.Architecture), r.Config.Architecture.Sparsity.Label,
                SnakeCase(r.Config.Training.LearningRateShape.ToString()), r.Config.Training.Resampling is null ? "false" : "true",
                Invariant(r.StepsCompleted), Invariant(r.Config.ExpansionFactor),
            };
            fields.AddRange(Columns.Select(c => Invariant(r.Metric(c.Metric))));
            fields.Add(Invariant(r.LatentsResampled));
            fields.Add(Invariant(Math.Round(r.TrainSeconds, 2)));
            fields.Add(Invariant(Math.Round(r.EvalSeconds, 2)));
            text.AppendLine(string.Join(',', fields));
        }
        return text.ToString();
    }

    /// <summary>
    /// A fixed-width table for the console: one line per run, grouped by layer, with each layer's CE baselines and the
    /// path of its feature browser.
    /// </summary>
    public static string Table(SeedExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        foreach (IGrouping<int, RunResult> layer in result.Runs.GroupBy(r => r.Layer))
        {
            LayerBaseline? baseline = result.Baselines.FirstOrDefault(b => b.Layer == layer.Key);
            text.Append(CultureInfo.InvariantCulture, $"Layer {layer.Key} ({layer.First().HookPoint})");
            if (baseline is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $": CE clean {baseline.CeClean:F3}, zero-ablated {baseline.CeZeroAblated:F3} over {baseline.ScoredTokens} predictions");
            }
            text.AppendLine();
            int family = Math.Max(11, layer.Max(r => r.Family.Length));
            text.AppendLine(CultureInfo.InvariantCulture, $"  {"family".PadRight(family)} {"variant",-16} {"λ / k",8} {"MSE",9} {"EV",7} {"L0",7} {"dead",6} {"CE rec.",8} {"CE SAE",7} {"time",6}");
            foreach (RunResult r in layer)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"  {r.Family.PadRight(family)} {r.Variant,-16} {r.Config.Architecture.Sparsity.Label,8} {r.Metric(MetricNames.Mse),9:E2} {r.Metric(MetricNames.ExplainedVariance),7:F3} " +
                    $"{r.Metric(MetricNames.L0),7:F1} {r.Metric(MetricNames.DeadFraction),6:F3} {r.Metric(LossRecoveredMetricNames.CeLossScore),8:F3} " +
                    $"{r.Metric(LossRecoveredMetricNames.CeLossWithSae),7:F3} {r.TrainSeconds + r.EvalSeconds,5:F0}s");
            }
            if (result.Browsers?.FirstOrDefault(b => b.Layer == layer.Key) is { } browser)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  Feature browser of {browser.RunName} ({browser.Tokens} held-out tokens): {browser.IndexPath}");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    // The architecture's parameters as name=value pairs separated by ';' (no commas, so the CSV needs no quoting).
    private static string Parameters(ArchitectureSpec spec) => string.Join(';', spec.Architecture.WriteSpec(spec)
        .Where(p => p.Value is not null)
        .Select(p => $"{p.Key}={p.Value!.ToJsonString().Trim('"').Replace(',', ' ')}"));

    private static string SnakeCase(string name) => SaeArchitecture.JsonOptions.PropertyNamingPolicy!.ConvertName(name);

    private static string Invariant(double value) => double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
