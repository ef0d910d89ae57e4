using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Evaluation;

/// <summary>
/// Accumulates one family of metrics over a stream of batches, so any number of them can share a single pass of the
/// SAE over the evaluation data (see <see cref="SaeEvaluation.Evaluate"/>).
/// </summary>
/// <remarks>
/// Implementations keep running sums, never the batches, so memory does not grow with the stream. Those that hold
/// native buffers implement <see cref="IDisposable"/>.
/// </remarks>
public interface IMetricEvaluator
{
    /// <summary>Accumulates one batch.</summary>
    /// <param name="x">The input activations <c>[tokens, d_in]</c>, in the units the SAE works in.</param>
    /// <param name="forward">The SAE's <see cref="ISparseAutoencoder.Forward"/> of <paramref name="x"/>.</param>
    void Accumulate(Tensor x, SaeForward forward);

    /// <summary>The metrics over everything accumulated so far, by SAELens-style name (see <see cref="MetricNames"/>).</summary>
    IReadOnlyDictionary<string, double> Report();
}
