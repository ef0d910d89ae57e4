using SparseDictionary.Evaluation;
using Xunit;

namespace SparseDictionary.Tests.Evaluation;

public class FiringFrequencyHistogramTests
{
    [Fact]
    public void Log10FrequenciesFollowSaeLensConvention()
    {
        // Frequencies over 10 tokens: 0.1, 0.2, 0 (dead), 1 → log10(p + 1e-10).
        using var histogram = Accumulated(new FiringFrequencyHistogram(4));

        double[] log10 = histogram.Log10Frequencies;
        Assert.Equal(-1.0, log10[0], 9);
        Assert.Equal(Math.Log10(0.2), log10[1], 9);
        Assert.Equal(-10.0, log10[2], 9);
        Assert.Equal(0.0, log10[3], 9);
    }

    [Fact]
    public void HistogramPutsEveryLatentInTheExpectedBin()
    {
        // 50 bins of width 8/50 = 0.16 over [−8, 0]:
        //   −10 (dead)   → below the range → bin 0
        //   −1           → (−1 + 8) / 0.16 = 43.75  → bin 43 = [−1.12, −0.96)
        //   log10 0.2 ≈ −0.699 → 7.301 / 0.16 ≈ 45.63 → bin 45 = [−0.80, −0.64)
        //   ≈ +4e-11     → above the range → bin 49
        using var histogram = Accumulated(new FiringFrequencyHistogram(4));

        var (edges, counts) = histogram.Histogram();
        Assert.Equal(51, edges.Length);
        Assert.Equal(-8.0, edges[0]);
        Assert.Equal(0.0, edges[50]);
        Assert.Equal(-1.12, edges[43], 12);
        Assert.Equal(-0.64, edges[46], 12);
        Assert.Equal(4, counts.Sum());
        var expected = new long[50];
        expected[0] = expected[43] = expected[45] = expected[49] = 1;
        Assert.Equal(expected, counts);
    }

    [Fact]
    public void ReportsMeanAndMedianOfLog10Frequency()
    {
        // Sorted: −10, −1, log10 0.2, 0 → mean (−11 + log10 0.2) / 4, median (−1 + log10 0.2) / 2.
        using var histogram = Accumulated(new FiringFrequencyHistogram(4));

        var r = histogram.Report();
        Assert.Equal((-11 + Math.Log10(0.2)) / 4, r[MetricNames.MeanLog10Frequency], 9);
        Assert.Equal((-1 + Math.Log10(0.2)) / 2, r[MetricNames.MedianLog10Frequency], 9);
    }

    [Fact]
    public void FrequenciesAreUndefinedBeforeAnyBatch()
    {
        using var histogram = new FiringFrequencyHistogram(4);
        Assert.Throws<InvalidOperationException>(() => histogram.Log10Frequencies);
        Assert.All(histogram.Report().Values, v => Assert.True(double.IsNaN(v)));
    }

    private static FiringFrequencyHistogram Accumulated(FiringFrequencyHistogram histogram)
    {
        SparsityMetricsTests.Accumulate(histogram, SparsityMetricsTests.FirstBatch);
        SparsityMetricsTests.Accumulate(histogram, SparsityMetricsTests.SecondBatch);
        return histogram;
    }
}
