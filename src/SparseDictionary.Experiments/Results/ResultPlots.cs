using System.Globalization;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Evaluation;
using SparseDictionary.Experiments.Seed;
using SparseDictionary.Plots;

namespace SparseDictionary.Experiments.Results;

/// <summary>
/// The seed experiment's PNG plots, per layer: L0 vs CE loss recovered (every sweep, one line per family, with its Pareto
/// frontier), MSE vs λ (the L1-penalised families), training curves of the ablation runs, and latent firing-frequency
/// histograms.
/// </summary>
public static class ResultPlots
{
    /// <summary>Writes the plots into <paramref name="folder"/> and returns their paths.</summary>
    public static IReadOnlyList<string> Write(SeedExperimentResult result, string folder)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (IGrouping<int, RunResult> layer in result.Runs.GroupBy(r => r.Layer))
        {
            string hook = layer.First().HookPoint;
            RunResult[] sweep = [.. layer.Where(r => r.Variant == SeedExperimentPlan.Sweep)];
            string Name(string kind) => Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{kind}_layer{layer.Key}.png"));

            PlotSeries[] frontier = [.. Families(sweep, r => r.Metric(MetricNames.L0), r => r.Metric(LossRecoveredMetricNames.CeLossScore), positiveX: true)];
            if (frontier.Length > 0)
            {
                string path = Name("l0_vs_loss_recovered");
                Charts.ScatterWithFrontier(path, new ChartOptions($"L0 vs CE loss recovered, {hook}", "L0 (active latents per token)", "CE loss recovered")
                { XScale = AxisScale.Log10 }, frontier, FrontierDirection.MinimiseXMaximiseY);
                written.Add(path);
            }

            // Only the L1-penalised families: TopK's k and JumpReLU's L0 coefficient are other axes.
            PlotSeries[] mse = [.. Families(sweep.Where(r => r.Config.Architecture.Sparsity.IsL1Coefficient), r => r.Config.Architecture.Sparsity.Value, r => r.Metric(MetricNames.Mse), positiveX: true, positiveY: true)];
            if (mse.Length > 0)
            {
                string path = Name("mse_vs_l1");
                Charts.Lines(path, new ChartOptions($"Reconstruction MSE vs L1 coefficient, {hook}", "L1 coefficient λ", "held-out MSE")
                { XScale = AxisScale.Log10, YScale = AxisScale.Log10 }, mse);
                written.Add(path);
            }

            RunResult[] compared = [.. AblationGroup(layer)];
            PlotSeries[] curves = [.. compared.Where(r => r.Curve.Count > 1).Select(r => new PlotSeries(
                $"{r.Family} {r.Variant}", [.. r.Curve.Select(p => (double)p.Step)], [.. r.Curve.Select(p => p.Loss)]))
                .Where(s => s.Y.All(double.IsFinite))];
            if (curves.Length > 0)
            {
                string path = Name("training_curves");
                Charts.Lines(path, new ChartOptions($"Training loss, {hook} (λ of the ablations)", "step", "training loss"), curves);
                written.Add(path);
            }

            HistogramSeries[] histograms = [.. compared.Where(r => r.Variant == SeedExperimentPlan.Sweep)
                .Select(r => new HistogramSeries(r.Family, r.FiringHistogram.BinEdges, [.. r.FiringHistogram.Counts.Select(c => (double)c)]))];
            if (histograms.Length > 0)
            {
                string path = Name("firing_frequency");
                Charts.Histograms(path, new ChartOptions($"Latent firing frequency, {hook}", "log10 firing frequency", "latents"), histograms);
                written.Add(path);
            }
        }
        return written;
    }

    // The runs that share the ablation λ of their family: the sweep run and its ablations.
    private static IEnumerable<RunResult> AblationGroup(IEnumerable<RunResult> layer)
    {
        RunResult[] runs = [.. layer];
        foreach (IGrouping<string, RunResult> family in runs.GroupBy(r => r.Family))
        {
            SparsitySetting? ablated = family.FirstOrDefault(r => r.Variant != SeedExperimentPlan.Sweep)?.Config.Architecture.Sparsity;
            if (ablated is null) continue;
            foreach (RunResult r in family.Where(r => r.Config.Architecture.Sparsity == ablated)) yield return r;
        }
    }

    // One series per family, points sorted by x, keeping only values the axes can show.
    private static IEnumerable<PlotSeries> Families(
        IEnumerable<RunResult> runs, Func<RunResult, double> x, Func<RunResult, double> y, bool positiveX = false, bool positiveY = false)
    {
        foreach (IGrouping<string, RunResult> family in runs.GroupBy(r => r.Family))
        {
            (double X, double Y)[] points = [.. family.Select(r => (X: x(r), Y: y(r)))
                .Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!positiveX || p.X > 0) && (!positiveY || p.Y > 0))
                .OrderBy(p => p.X)];
            if (points.Length > 0) yield return new PlotSeries(family.Key, [.. points.Select(p => p.X)], [.. points.Select(p => p.Y)]);
        }
    }
}
