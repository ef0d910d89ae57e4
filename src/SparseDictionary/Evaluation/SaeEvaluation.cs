using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Runtime;
using static TorchSharp.torch;

namespace SparseDictionary.Evaluation;

/// <summary>Runs an SAE over a stream of activations and collects metrics from pluggable evaluators.</summary>
public static class SaeEvaluation
{
    /// <summary>
    /// Streams batches from <paramref name="source"/> until it is exhausted or <paramref name="maxTokens"/> tokens have
    /// been read, runs <see cref="ISparseAutoencoder.Forward"/> on each without gradients, feeds every evaluator, and
    /// returns their merged reports.
    /// </summary>
    /// <param name="sae">The SAE to evaluate; each batch is moved to its device and element type.</param>
    /// <param name="source">The activations. A source that cycles forever needs <paramref name="maxTokens"/>.</param>
    /// <param name="evaluators">The metrics to collect; they keep accumulating if reused, and the caller disposes them.</param>
    /// <param name="batchSize">Tokens per forward pass.</param>
    /// <param name="maxTokens">Stop after exactly this many tokens (or earlier, when the source runs out).</param>
    /// <returns>Every evaluator's metrics, by name.</returns>
    /// <exception cref="ArgumentException">The source's width differs from the SAE's.</exception>
    /// <exception cref="InvalidOperationException">Two evaluators report a metric of the same name.</exception>
    public static IReadOnlyDictionary<string, double> Evaluate(
        ISparseAutoencoder sae,
        IActivationSource source,
        IReadOnlyList<IMetricEvaluator> evaluators,
        int batchSize = 4096,
        long? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(evaluators);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (maxTokens is { } max) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max, nameof(maxTokens));
        if (source.DIn != sae.DIn)
        {
            throw new ArgumentException(
                $"The activation source has d_in = {source.DIn} but the SAE expects d_in = {sae.DIn}.", nameof(source));
        }

        using var noGrad = no_grad();
        long seen = 0;
        while (maxTokens is null || seen < maxTokens)
        {
            // Everything a batch creates, the batch itself included, is freed before the next one.
            using var scope = StepScope.Begin();
            int request = maxTokens is null ? batchSize : (int)Math.Min(batchSize, maxTokens.Value - seen);
            var batch = source.NextBatch(request);
            if (batch is null) break;
            var x = batch.to(sae.DType, sae.Device);
            var forward = sae.Forward(x);
            foreach (var evaluator in evaluators) evaluator.Accumulate(x, forward);
            seen += x.shape[0];
        }
        return Merge(evaluators);
    }

    /// <summary>
    /// New instances of the standard evaluators: <see cref="ReconstructionMetrics"/>, <see cref="SparsityMetrics"/> and
    /// <see cref="FiringFrequencyHistogram"/>, with default settings. The caller disposes them.
    /// </summary>
    /// <param name="dSae">The SAE's number of latents.</param>
    public static IReadOnlyList<IMetricEvaluator> DefaultEvaluators(int dSae) =>
        [new ReconstructionMetrics(), new SparsityMetrics(dSae), new FiringFrequencyHistogram(dSae)];

    private static Dictionary<string, double> Merge(IReadOnlyList<IMetricEvaluator> evaluators)
    {
        var merged = new Dictionary<string, double>();
        foreach (var evaluator in evaluators)
        {
            foreach (var (name, value) in evaluator.Report())
            {
                // Silently keeping one of two values would hide a misconfiguration.
                if (!merged.TryAdd(name, value))
                {
                    throw new InvalidOperationException($"More than one evaluator reports the metric '{name}'.");
                }
            }
        }
        return merged;
    }
}
