using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Evaluation;
using SparseDictionary.Experiments.Results;
using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Runs;

/// <summary>Scores a trained SAE on held-out data: reconstruction and sparsity metrics, and optionally CE loss recovered.</summary>
public static class SaeRunEvaluation
{
    /// <summary>What <see cref="Evaluate"/> measured.</summary>
    /// <param name="Metrics">Metrics by SAELens name.</param>
    /// <param name="FiringHistogram">Histogram of log10 latent firing frequencies.</param>
    /// <param name="Log10FeatureSparsity">Per-latent log10 firing frequency, as SAELens stores it.</param>
    /// <param name="LossRecovered">The loss-recovered result, when a model was given.</param>
    public sealed record Outcome(
        IReadOnlyDictionary<string, double> Metrics, Histogram FiringHistogram, double[] Log10FeatureSparsity, LossRecoveredResult? LossRecovered);

    /// <summary>Evaluates <paramref name="sae"/>.</summary>
    /// <param name="sae">The SAE.</param>
    /// <param name="heldOut">Held-out activations <c>[tokens, d_in]</c>.</param>
    /// <param name="lossRecovered">
    /// The clean and zero-ablated passes over held-out windows at the hook point the SAE reads; <see langword="null"/> to
    /// skip CE loss recovered.
    /// </param>
    public static Outcome Evaluate(ISparseAutoencoder sae, Tensor heldOut, LossRecoveredBaseline? lossRecovered)
    {
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(heldOut);
        var firing = new FiringFrequencyHistogram(sae.DSae);
        var sparsity = new SparsityMetrics(sae.DSae);
        try
        {
            IReadOnlyList<IMetricEvaluator> evaluators = [new ReconstructionMetrics(), sparsity, firing];
            using var source = new InMemoryActivationSource(heldOut, shuffle: false, cycle: false);
            var metrics = new Dictionary<string, double>(SaeEvaluation.Evaluate(sae, source, evaluators));
            (double[] edges, long[] counts) = firing.Histogram();
            LossRecoveredResult? recovered = null;
            if (lossRecovered is not null)
            {
                var evaluator = new LossRecoveredEvaluator(lossRecovered.Model, sae, lossRecovered.Options);
                evaluator.Accumulate(lossRecovered);
                recovered = evaluator.Result();
                foreach ((string name, double value) in recovered.ToMetrics()) metrics[name] = value;
            }
            return new Outcome(metrics, new Histogram(edges, counts), firing.Log10Frequencies, recovered);
        }
        finally
        {
            firing.Dispose();
            sparsity.Dispose();
        }
    }
}
