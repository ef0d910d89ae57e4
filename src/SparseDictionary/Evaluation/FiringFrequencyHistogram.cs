using SparseDictionary.Autoencoders;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Evaluation;

/// <summary>
/// The distribution over latents of firing frequency on a log scale: the "feature density histogram" SAELens logs,
/// whose shape shows dead latents, dense latents and the healthy bulk in between.
/// </summary>
/// <remarks>
/// Latent <c>i</c>'s firing frequency is <c>p_i = c_i / n</c>, the fraction of the <c>n</c> evaluated tokens on which
/// <c>f_i &gt; 0</c>. Its log value follows SAELens's convention for <c>sparsity.safetensors</c> and
/// <c>mean_log10_feature_sparsity</c>: <c>log10(p_i + 1e-10)</c>, so a dead latent gets exactly <c>−10</c> rather than
/// <c>−∞</c>.
/// </remarks>
public sealed class FiringFrequencyHistogram : IMetricEvaluator, IDisposable
{
    /// <summary>Added to every frequency before the logarithm (SAELens's convention), so dead latents map to −10.</summary>
    public const double Log10Epsilon = 1e-10;

    private readonly FiringStatistics _firing;

    /// <summary>Creates an evaluator for an SAE with <paramref name="dSae"/> latents.</summary>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="bins">Number of equal-width histogram bins over <c>[minLog10, 0]</c>.</param>
    /// <param name="minLog10">
    /// Lower edge of the histogram. Values below it, in particular dead latents at −10, are counted in the first bin.
    /// </param>
    public FiringFrequencyHistogram(int dSae, int bins = 50, double minLog10 = -8)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        if (!(minLog10 < 0) || double.IsInfinity(minLog10))
        {
            throw new ArgumentOutOfRangeException(nameof(minLog10), minLog10, "The histogram's lower edge must be a finite negative log10 frequency.");
        }
        _firing = new FiringStatistics(dSae);
        Bins = bins;
        MinLog10 = minLog10;
    }

    /// <summary>Number of latents.</summary>
    public int DSae => _firing.DSae;

    /// <summary>Number of histogram bins.</summary>
    public int Bins { get; }

    /// <summary>Lower edge of the histogram (the upper edge is 0, a latent firing on every token).</summary>
    public double MinLog10 { get; }

    /// <summary>Tokens accumulated so far.</summary>
    public long TokenCount => _firing.TokenCount;

    /// <summary>Per latent, <c>log10(c_i / n + 1e-10)</c>; dead latents get −10.</summary>
    /// <exception cref="InvalidOperationException">No token has been accumulated yet.</exception>
    public double[] Log10Frequencies
    {
        get
        {
            long n = TokenCount;
            if (n == 0) throw new InvalidOperationException("No tokens have been accumulated, so firing frequencies are undefined.");
            return _firing.FiringCounts().Select(c => Math.Log10((double)c / n + Log10Epsilon)).ToArray();
        }
    }

    /// <summary>
    /// Counts of latents per log10-frequency bin. <c>edges</c> has <c>Bins + 1</c> entries from <see cref="MinLog10"/> to
    /// 0; bin <c>k</c> is <c>[edges[k], edges[k+1])</c>, the last one closed. Values outside the range go to the nearest
    /// end bin, so the counts always sum to <see cref="DSae"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No token has been accumulated yet.</exception>
    public (double[] edges, long[] counts) Histogram()
    {
        double[] values = Log10Frequencies;
        double width = -MinLog10 / Bins;
        var edges = new double[Bins + 1];
        for (int k = 0; k <= Bins; k++) edges[k] = MinLog10 + k * width;
        edges[Bins] = 0; // exact, whatever the rounding of k * width

        var counts = new long[Bins];
        foreach (double v in values)
        {
            // A latent firing on every token sits just above 0 (log10(1 + 1e-10)), hence the clamp at the top too.
            int k = (int)Math.Clamp(Math.Floor((v - MinLog10) / width), 0, Bins - 1);
            counts[k]++;
        }
        return (edges, counts);
    }

    /// <inheritdoc />
    public void Accumulate(Tensor x, SaeForward forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        _firing.Update(forward.Features);
    }

    /// <summary>
    /// <c>sparsity/mean_log10_frequency</c> and <c>sparsity/median_log10_frequency</c>, the mean and median over latents
    /// of <see cref="Log10Frequencies"/> (dead latents included at −10, as in SAELens; the median of an even count is
    /// the mean of the middle two). Both are <see cref="double.NaN"/> before any token.
    /// </summary>
    public IReadOnlyDictionary<string, double> Report()
    {
        if (TokenCount == 0)
        {
            return new Dictionary<string, double>
            {
                [MetricNames.MeanLog10Frequency] = double.NaN,
                [MetricNames.MedianLog10Frequency] = double.NaN,
            };
        }
        double[] values = Log10Frequencies;
        Array.Sort(values);
        int mid = values.Length / 2;
        double median = values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
        return new Dictionary<string, double>
        {
            [MetricNames.MeanLog10Frequency] = values.Average(),
            [MetricNames.MedianLog10Frequency] = median,
        };
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose() => _firing.Dispose();
}
