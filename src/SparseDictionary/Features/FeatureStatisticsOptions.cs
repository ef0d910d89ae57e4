namespace SparseDictionary.Features;

/// <summary>
/// What <see cref="FeatureStatistics"/> keeps per latent: how many top-activating examples, how much context around each,
/// and the activation histogram's log-spaced bins. <see cref="Validate"/> names the first bad field.
/// </summary>
public sealed record FeatureStatisticsOptions
{
    /// <summary>Gets the number of top-activating examples kept per latent. Default 20.</summary>
    public int TopExamples { get; init; } = 20;

    /// <summary>Gets the positions kept before each example's token (within its sequence). Default 16.</summary>
    public int ContextBefore { get; init; } = 16;

    /// <summary>Gets the positions kept after each example's token (within its sequence). Default 4.</summary>
    public int ContextAfter { get; init; } = 4;

    /// <summary>Gets the base-10 logarithm of the lower edge of the first histogram bin. Default −3 (0.001).</summary>
    /// <remarks>Activations below it are counted in the first bin, above the last edge in the last bin.</remarks>
    public int HistogramMinLog10 { get; init; } = -3;

    /// <summary>Gets the base-10 logarithm of the upper edge of the last histogram bin. Default 4 (10,000).</summary>
    public int HistogramMaxLog10 { get; init; } = 4;

    /// <summary>Gets the histogram bins per factor of ten. Default 8.</summary>
    public int HistogramBinsPerDecade { get; init; } = 8;

    /// <summary>Gets the number of positions in an example's context: before + the token + after.</summary>
    public int ContextLength => ContextBefore + 1 + ContextAfter;

    /// <summary>Gets the number of histogram bins.</summary>
    public int HistogramBins => (HistogramMaxLog10 - HistogramMinLog10) * HistogramBinsPerDecade;

    /// <summary>Gets the bin edges, <see cref="HistogramBins"/> + 1 of them, increasing.</summary>
    public double[] HistogramEdges() =>
        [.. Enumerable.Range(0, HistogramBins + 1).Select(i => Math.Pow(10, HistogramMinLog10 + (double)i / HistogramBinsPerDecade))];

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (TopExamples < 1) throw new ArgumentOutOfRangeException(nameof(TopExamples), TopExamples, "At least one example per latent.");
        if (ContextBefore < 0) throw new ArgumentOutOfRangeException(nameof(ContextBefore), ContextBefore, "Must be ≥ 0.");
        if (ContextAfter < 0) throw new ArgumentOutOfRangeException(nameof(ContextAfter), ContextAfter, "Must be ≥ 0.");
        if (HistogramBinsPerDecade < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(HistogramBinsPerDecade), HistogramBinsPerDecade, "At least one bin per decade.");
        }
        if (HistogramMaxLog10 <= HistogramMinLog10)
        {
            throw new ArgumentOutOfRangeException(nameof(HistogramMaxLog10), HistogramMaxLog10, "Must be above HistogramMinLog10.");
        }
    }
}
