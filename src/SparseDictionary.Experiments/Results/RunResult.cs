using SparseDictionary.Experiments.Runs;

namespace SparseDictionary.Experiments.Results;

/// <summary>One trained SAE of an experiment and what it scored on held-out text.</summary>
/// <param name="Layer">The block whose output (residual stream after the block) the SAE reads.</param>
/// <param name="HookPoint">The hook point's name, e.g. <c>blocks.2.hook_resid_post</c>.</param>
/// <param name="Family">The line it belongs to in the plots (e.g. <c>standard</c>, <c>gated</c>, <c>gated-note</c>).</param>
/// <param name="Variant">What distinguishes it within its family (<c>sweep</c>, <c>no-resampling</c>, <c>cosine-restarts</c>, ...).</param>
/// <param name="Config">The training configuration.</param>
/// <param name="Metrics">Held-out metrics by SAELens name (reconstruction, sparsity and CE loss recovered).</param>
/// <param name="Curve">The training curve.</param>
/// <param name="FiringHistogram">Histogram of log10 latent firing frequencies on held-out tokens.</param>
/// <param name="StepsCompleted">Optimiser steps taken.</param>
/// <param name="LatentsResampled">Latents reset by neuron resampling, over all rounds.</param>
/// <param name="TrainSeconds">Wall time of training.</param>
/// <param name="EvalSeconds">Wall time of the held-out evaluation.</param>
public sealed record RunResult(
    int Layer,
    string HookPoint,
    string Family,
    string Variant,
    SaeRunConfig Config,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<CurvePoint> Curve,
    Histogram FiringHistogram,
    int StepsCompleted,
    int LatentsResampled,
    double TrainSeconds,
    double EvalSeconds)
{
    /// <summary>A metric by name, or NaN when it was not computed.</summary>
    public double Metric(string name) => Metrics.TryGetValue(name, out double value) ? value : double.NaN;
}

/// <summary>One point of a training curve.</summary>
/// <param name="Step">0-based step.</param>
/// <param name="Tokens">Tokens trained on after the step.</param>
/// <param name="LearningRate">The step's learning rate.</param>
/// <param name="Loss">Total training loss.</param>
/// <param name="Mse">Reconstruction term (on normalised activations).</param>
/// <param name="L0">Mean active latents per token in the batch.</param>
/// <param name="DeadFraction">Fraction of latents not fired within the dead window.</param>
public sealed record CurvePoint(int Step, long Tokens, double LearningRate, double Loss, double Mse, double L0, double DeadFraction);

/// <summary>A histogram: <c>Counts[i]</c> values fell in <c>[BinEdges[i], BinEdges[i + 1])</c>.</summary>
/// <param name="BinEdges">Bin edges, one more than the counts.</param>
/// <param name="Counts">Counts per bin.</param>
public sealed record Histogram(IReadOnlyList<double> BinEdges, IReadOnlyList<long> Counts);

/// <summary>The cross-entropy baselines of one layer on the held-out windows, shared by every SAE at that layer.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="HookPoint">The hook point's name.</param>
/// <param name="CeClean">CE loss of the unmodified model.</param>
/// <param name="CeZeroAblated">CE loss with the layer's residual stream set to zero (the denominator of loss recovered).</param>
/// <param name="ScoredTokens">Predictions scored.</param>
public sealed record LayerBaseline(int Layer, string HookPoint, double CeClean, double CeZeroAblated, long ScoredTokens);
