using SparseDictionary.Evaluation;
using Xunit;
using static SparseDictionary.Tests.Evaluation.EvaluationTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Evaluation;

public class SparsityMetricsTests
{
    private const int Precision = 12;

    // 10 tokens × 4 latents, split into batches of 6 and 4:
    //   latent 0 fires on token 0 only          → 1/10 = exactly 10%: not dense
    //   latent 1 fires on tokens 0 and 7        → 2/10 = 20%: dense (its second firing is in the second batch)
    //   latent 2 never fires                    → dead
    //   latent 3 fires on every token with 0.5  → 100%: dense
    internal static readonly float[,] FirstBatch =
    {
        { 2, 1, 0, 0.5f },
        { 0, 0, 0, 0.5f },
        { 0, 0, 0, 0.5f },
        { 0, 0, 0, 0.5f },
        { 0, 0, 0, 0.5f },
        { 0, 0, 0, 0.5f },
    };

    internal static readonly float[,] SecondBatch =
    {
        { 0, 0, 0, 0.5f },
        { 0, 3, 0, 0.5f },
        { 0, 0, 0, 0.5f },
        { 0, 0, 0, 0.5f },
    };

    [Fact]
    public void TwoBatchesMatchHandComputedValues()
    {
        // l0 = (1 + 2 + 0 + 10) firings / 10 tokens = 1.3
        // l1 = (2 + 1 + 3 + 10 · 0.5) / 10 = 11 / 10 = 1.1
        // dead = 1 / 4 = 0.25;  dense (> 10%) = latents 1 and 3 = 2 / 4 = 0.5
        using var metrics = new SparsityMetrics(4);
        Accumulate(metrics, FirstBatch);
        Accumulate(metrics, SecondBatch);

        var r = metrics.Report();
        Assert.Equal(1.3, r[MetricNames.L0], Precision);
        Assert.Equal(1.1, r[MetricNames.L1], Precision);
        Assert.Equal(0.25, r[MetricNames.DeadFraction], Precision);
        Assert.Equal(0.5, r[MetricNames.DenseFraction], Precision);
        Assert.Equal(new long[] { 1, 2, 0, 10 }, metrics.FiringCounts);
        Assert.Equal(10, metrics.TokenCount);
    }

    [Fact]
    public void DenseThresholdIsConfigurable()
    {
        // Below latent 0's 10%, it becomes dense too: latents 0, 1, 3 → 3/4.
        using var metrics = new SparsityMetrics(4, denseThreshold: 0.05);
        Accumulate(metrics, FirstBatch);
        Accumulate(metrics, SecondBatch);
        Assert.Equal(0.75, metrics.Report()[MetricNames.DenseFraction], Precision);
    }

    [Fact]
    public void ReportBeforeAnyBatchIsNaN()
    {
        using var metrics = new SparsityMetrics(4);
        Assert.All(metrics.Report().Values, v => Assert.True(double.IsNaN(v)));
        Assert.Equal(new long[4], metrics.FiringCounts);
    }

    [Fact]
    public void WrongFeatureWidthThrows()
    {
        using var metrics = new SparsityMetrics(3);
        Assert.Throws<ArgumentException>(() => Accumulate(metrics, FirstBatch));
    }

    internal static void Accumulate(IMetricEvaluator metrics, float[,] features)
    {
        using var scope = NewDisposeScope();
        var forward = FeaturesOnly(features);
        metrics.Accumulate(forward.Reconstruction, forward);
    }
}
