using SparseDictionary.Bridges;
using SparseDictionary.Evaluation;
using SparseDictionary.Experiments.Results;

namespace SparseDictionary.Experiments.Seed;

/// <summary>
/// Which SAE of a layer gets the feature browser: the highest CE loss recovered among the SAEs sparse enough to read
/// (L0 at most <see cref="MaxL0"/>, dead fraction at most <see cref="MaxDeadFraction"/>), and the highest CE loss
/// recovered overall when none is.
/// </summary>
/// <remarks>
/// The best CE loss recovered alone picks the densest SAE (on the embedded model, Gated λ = 1 with L0 ≈ 300 of 1,536
/// latents), whose features are the least interpretable; a mostly dead SAE leaves most pages empty.
/// </remarks>
/// <param name="MaxL0">The largest mean number of active latents per token of an eligible SAE.</param>
/// <param name="MaxDeadFraction">The largest fraction of dead latents of an eligible SAE.</param>
public sealed record BrowserSelection(double MaxL0, double MaxDeadFraction)
{
    /// <summary>Whether <paramref name="candidate"/> should replace <paramref name="current"/> (none yet: <see langword="null"/>).</summary>
    /// <remarks>A run whose CE loss recovered is not a number never replaces one whose is.</remarks>
    public bool Prefers(RunResult candidate, RunResult? current)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (current is null) return true;
        bool eligible = IsEligible(candidate), currentEligible = IsEligible(current);
        if (eligible != currentEligible) return eligible;
        double score = candidate.Metric(LossRecoveredMetricNames.CeLossScore), currentScore = current.Metric(LossRecoveredMetricNames.CeLossScore);
        if (double.IsNaN(currentScore)) return !double.IsNaN(score);
        return score > currentScore;
    }

    /// <summary>Whether the run is sparse and alive enough to browse.</summary>
    public bool IsEligible(RunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Metric(MetricNames.L0) <= MaxL0 && run.Metric(MetricNames.DeadFraction) <= MaxDeadFraction;
    }
}
