namespace SparseDictionary.Evaluation;

/// <summary>
/// The names under which the built-in evaluators report, following SAELens's <c>group/metric</c> keys so results line
/// up with SAELens and Weights &amp; Biases dashboards.
/// </summary>
public static class MetricNames
{
    /// <summary>Mean squared error per element; see <see cref="ReconstructionMetrics"/>.</summary>
    public const string Mse = "reconstruction_quality/mse";

    /// <summary>Fraction of variance unexplained (normalised MSE); see <see cref="ReconstructionMetrics"/>.</summary>
    public const string Fvu = "reconstruction_quality/fvu";

    /// <summary>Explained variance, <c>1 − fvu</c>; see <see cref="ReconstructionMetrics"/>.</summary>
    public const string ExplainedVariance = "reconstruction_quality/explained_variance";

    /// <summary>Mean cosine similarity of input and reconstruction; see <see cref="ReconstructionMetrics"/>.</summary>
    public const string CosineSimilarity = "reconstruction_quality/cossim";

    /// <summary>Mean input norm; see <see cref="ReconstructionMetrics"/>.</summary>
    public const string L2NormIn = "shrinkage/l2_norm_in";

    /// <summary>Mean reconstruction norm; see <see cref="ReconstructionMetrics"/>.</summary>
    public const string L2NormOut = "shrinkage/l2_norm_out";

    /// <summary>Mean ratio of reconstruction norm to input norm; see <see cref="ReconstructionMetrics"/>.</summary>
    public const string L2Ratio = "shrinkage/l2_ratio";

    /// <summary>Relative reconstruction bias γ (Wright &amp; Sharkey 2024); see <see cref="ReconstructionMetrics"/>.</summary>
    public const string RelativeReconstructionBias = "shrinkage/relative_reconstruction_bias";

    /// <summary>Mean number of active latents per token; see <see cref="SparsityMetrics"/>.</summary>
    public const string L0 = "sparsity/l0";

    /// <summary>Mean L1 norm of the features per token; see <see cref="SparsityMetrics"/>.</summary>
    public const string L1 = "sparsity/l1";

    /// <summary>Fraction of latents that never fired; see <see cref="SparsityMetrics"/>.</summary>
    public const string DeadFraction = "sparsity/dead_fraction";

    /// <summary>Fraction of latents firing on more than a threshold fraction of tokens; see <see cref="SparsityMetrics"/>.</summary>
    public const string DenseFraction = "sparsity/dense_fraction";

    /// <summary>Mean over latents of log10 firing frequency; see <see cref="FiringFrequencyHistogram"/>.</summary>
    public const string MeanLog10Frequency = "sparsity/mean_log10_frequency";

    /// <summary>Median over latents of log10 firing frequency; see <see cref="FiringFrequencyHistogram"/>.</summary>
    public const string MedianLog10Frequency = "sparsity/median_log10_frequency";
}
