using SparseDictionary.Evaluation;
using Xunit;
using static SparseDictionary.Tests.Evaluation.EvaluationTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Evaluation;

public class ReconstructionMetricsTests
{
    private const int Precision = 12;

    [Fact]
    public void TwoBatchesMatchHandComputedValues()
    {
        // Batch 1: x1 = (3, 4), x̂1 = (3, 0);  x2 = (0, 2),  x̂2 = (0, 1)
        // Batch 2: x3 = (1, 0), x̂3 = (2, 0);  x4 = (0, −2), x̂4 = (0, −2)
        //
        // ‖x − x̂‖²: 16, 1, 1, 0 → Σ = 18;  mse = 18 / (4 tokens · 2 dims) = 2.25
        // x̄ = (4, 4) / 4 = (1, 1) over the whole stream; Σ‖x‖² = 25 + 4 + 1 + 4 = 34; n‖x̄‖² = 4 · 2 = 8
        //   Σ‖x − x̄‖² = 34 − 8 = 26   (directly: 13 + 2 + 1 + 10)
        //   (per-batch means would give 6.5 + 2.5 = 9 instead: the stream-wide mean matters)
        // fvu = 18 / 26 = 9/13;  explained variance = 4/13
        // ‖x‖: 5, 2, 1, 2 → mean 2.5;  ‖x̂‖: 3, 1, 2, 2 → mean 2
        // cos: 9/15 = 0.6, 2/2 = 1, 2/2 = 1, 4/4 = 1 → mean 0.9
        // ‖x̂‖/‖x‖: 0.6, 0.5, 2, 1 → mean 1.025
        // γ = Σ‖x̂‖² / Σ x·x̂ = (9 + 1 + 4 + 4) / (9 + 2 + 2 + 4) = 18/17
        using var metrics = new ReconstructionMetrics();
        Accumulate(metrics, new float[,] { { 3, 4 }, { 0, 2 } }, new float[,] { { 3, 0 }, { 0, 1 } });
        Accumulate(metrics, new float[,] { { 1, 0 }, { 0, -2 } }, new float[,] { { 2, 0 }, { 0, -2 } });

        var r = metrics.Report();
        Assert.Equal(2.25, r[MetricNames.Mse], Precision);
        Assert.Equal(9.0 / 13, r[MetricNames.Fvu], Precision);
        Assert.Equal(4.0 / 13, r[MetricNames.ExplainedVariance], Precision);
        Assert.Equal(0.9, r[MetricNames.CosineSimilarity], Precision);
        Assert.Equal(2.5, r[MetricNames.L2NormIn], Precision);
        Assert.Equal(2.0, r[MetricNames.L2NormOut], Precision);
        Assert.Equal(1.025, r[MetricNames.L2Ratio], Precision);
        Assert.Equal(18.0 / 17, r[MetricNames.RelativeReconstructionBias], Precision);
        Assert.Equal(4, metrics.TokenCount);
    }

    [Fact]
    public void PerfectReconstructionIsLossless()
    {
        var x = new float[,] { { 1, -2, 3 }, { 0.5f, 4, -1 }, { 2, 2, 2 } };
        using var metrics = new ReconstructionMetrics();
        Accumulate(metrics, x, x);

        var r = metrics.Report();
        Assert.Equal(0.0, r[MetricNames.Mse], Precision);
        Assert.Equal(0.0, r[MetricNames.Fvu], Precision);
        Assert.Equal(1.0, r[MetricNames.ExplainedVariance], Precision);
        Assert.Equal(1.0, r[MetricNames.CosineSimilarity], Precision);
        Assert.Equal(1.0, r[MetricNames.L2Ratio], Precision);
        Assert.Equal(1.0, r[MetricNames.RelativeReconstructionBias], Precision);
    }

    [Fact]
    public void PredictingTheMeanExplainsNoVariance()
    {
        // Stream mean over both batches: ((1 + 3 + 5 + 7) / 4, (0 + 2 + −2 + 4) / 4) = (4, 1).
        var mean = new float[,] { { 4, 1 }, { 4, 1 } };
        using var metrics = new ReconstructionMetrics();
        Accumulate(metrics, new float[,] { { 1, 0 }, { 3, 2 } }, mean);
        Accumulate(metrics, new float[,] { { 5, -2 }, { 7, 4 } }, mean);

        var r = metrics.Report();
        Assert.Equal(0.0, r[MetricNames.ExplainedVariance], Precision);
        Assert.Equal(1.0, r[MetricNames.Fvu], Precision);
    }

    [Fact]
    public void ZeroNormTokensAreClampedNotNaN()
    {
        // x = 0: cos = 0 / (max(0, 1e-8) · 1) = 0, and ‖x̂‖/‖x‖ divides by 1 instead (‖x‖ < 1e-4): 1 / 1 = 1.
        using var metrics = new ReconstructionMetrics();
        Accumulate(metrics, new float[,] { { 0, 0 } }, new float[,] { { 1, 0 } });

        var r = metrics.Report();
        Assert.Equal(0.0, r[MetricNames.CosineSimilarity], Precision);
        Assert.Equal(1.0, r[MetricNames.L2Ratio], Precision);
    }

    [Fact]
    public void ReportBeforeAnyBatchIsNaN()
    {
        using var metrics = new ReconstructionMetrics();
        Assert.All(metrics.Report().Values, v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void MismatchedShapesThrow()
    {
        using var metrics = new ReconstructionMetrics();
        Assert.Throws<ArgumentException>(() => Accumulate(metrics, new float[,] { { 1, 2 } }, new float[,] { { 1, 2, 3 } }));
    }

    private static void Accumulate(ReconstructionMetrics metrics, float[,] x, float[,] reconstruction)
    {
        using var scope = NewDisposeScope();
        var input = Matrix(x);
        metrics.Accumulate(input, Forward(Matrix(reconstruction), zeros(input.shape[0], 1)));
    }
}
