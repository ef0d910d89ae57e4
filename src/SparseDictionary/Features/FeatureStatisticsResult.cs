namespace SparseDictionary.Features;

/// <summary>
/// The statistics <see cref="FeatureStatistics"/> gathered, on the host: per latent, firing frequency, mean and maximum
/// activation, the activation histogram and the top-activating examples.
/// </summary>
public sealed class FeatureStatisticsResult
{
    private readonly long[] _fireCounts;
    private readonly double[] _sums;
    private readonly float[] _maxima;
    private readonly long[] _histogram;
    private readonly float[] _topValues;
    private readonly long[] _topSequences;
    private readonly int[] _topPositions;
    private readonly int[] _topTokens;
    private readonly float[] _topActivations;

    internal FeatureStatisticsResult(FeatureStatisticsOptions options, int dSae, long tokenCount, long[] fireCounts, double[] sums, float[] maxima,
        long[] histogram, float[] topValues, long[] topSequences, int[] topPositions, int[] topTokens, float[] topActivations)
    {
        Options = options;
        DSae = dSae;
        TokenCount = tokenCount;
        _fireCounts = fireCounts;
        _sums = sums;
        _maxima = maxima;
        _histogram = histogram;
        _topValues = topValues;
        _topSequences = topSequences;
        _topPositions = topPositions;
        _topTokens = topTokens;
        _topActivations = topActivations;
        HistogramEdges = options.HistogramEdges();
    }

    /// <summary>Gets the options the statistics were gathered with.</summary>
    public FeatureStatisticsOptions Options { get; }

    /// <summary>Gets the number of latents.</summary>
    public int DSae { get; }

    /// <summary>Gets the number of tokens counted.</summary>
    public long TokenCount { get; }

    /// <summary>Gets the histogram's bin edges (<see cref="FeatureStatisticsOptions.HistogramBins"/> + 1, log-spaced).</summary>
    public IReadOnlyList<double> HistogramEdges { get; }

    /// <summary>Gets the number of counted tokens on which <paramref name="latent"/> fired (activation &gt; 0).</summary>
    public long FireCount(int latent) => _fireCounts[Check(latent)];

    /// <summary>Gets the fraction of counted tokens on which <paramref name="latent"/> fired; 0 when no token was counted.</summary>
    public double Frequency(int latent) => TokenCount == 0 ? 0 : (double)FireCount(latent) / TokenCount;

    /// <summary>Gets the mean activation of <paramref name="latent"/> over all counted tokens (zeros included).</summary>
    public double MeanActivation(int latent) => TokenCount == 0 ? 0 : _sums[Check(latent)] / TokenCount;

    /// <summary>Gets the mean activation of <paramref name="latent"/> over the tokens where it fired; 0 when it never did.</summary>
    public double MeanActivationWhenFiring(int latent) => FireCount(latent) == 0 ? 0 : _sums[latent] / FireCount(latent);

    /// <summary>Gets the maximum activation of <paramref name="latent"/> over the counted tokens; −∞ when none was counted.</summary>
    public float MaxActivation(int latent) => _maxima[Check(latent)];

    /// <summary>Gets the histogram of <paramref name="latent"/>'s positive activations, one count per bin of <see cref="HistogramEdges"/>.</summary>
    public ReadOnlySpan<long> Histogram(int latent)
    {
        int bins = Options.HistogramBins;
        return _histogram.AsSpan(Check(latent) * bins, bins);
    }

    /// <summary>
    /// Gets the top-activating examples of <paramref name="latent"/>, highest first: at most
    /// <see cref="FeatureStatisticsOptions.TopExamples"/>, only tokens where it fired.
    /// </summary>
    public IReadOnlyList<FeatureExample> TopExamples(int latent)
    {
        int n = Options.TopExamples;
        int c = Options.ContextLength;
        var examples = new List<FeatureExample>(n);
        for (int r = 0; r < n; r++)
        {
            int slot = Check(latent) * n + r;
            float value = _topValues[slot];
            if (!(value > 0)) break;
            var tokens = new List<int>(c);
            var activations = new List<float>(c);
            int focus = -1;
            for (int i = 0; i < c; i++)
            {
                int token = _topTokens[slot * c + i];
                if (token < 0) continue;
                if (i == Options.ContextBefore) focus = tokens.Count;
                tokens.Add(token);
                activations.Add(_topActivations[slot * c + i]);
            }
            examples.Add(new FeatureExample(value, _topSequences[slot], _topPositions[slot], [.. tokens], [.. activations], focus));
        }
        return examples;
    }

    private int Check(int latent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(latent);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(latent, DSae);
        return latent;
    }
}
