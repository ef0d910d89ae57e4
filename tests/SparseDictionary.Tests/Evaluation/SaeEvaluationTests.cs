using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Evaluation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Evaluation;

public class SaeEvaluationTests
{
    private const int DIn = 8;
    private const int DSae = 32;
    private const int Tokens = 100;

    [Fact]
    public void StreamedMetricsEqualOneShotMetrics()
    {
        using var sae = NewSae();
        using var data = NewData();
        using var source = new InMemoryActivationSource(data, shuffle: false, cycle: false);
        var evaluators = SaeEvaluation.DefaultEvaluators(DSae);
        try
        {
            // 100 tokens in batches of 16: six full batches and a ragged one of 4.
            var streamed = SaeEvaluation.Evaluate(sae, source, evaluators, batchSize: 16);

            var expected = OneShot(sae, data);
            Assert.Equal(expected.Keys.Order(), streamed.Keys.Order());
            foreach (var (name, value) in expected)
            {
                Assert.True(Math.Abs(value - streamed[name]) <= 1e-6 * Math.Max(1, Math.Abs(value)),
                    $"{name}: streamed {streamed[name]}, one-shot {value}");
            }
            Assert.Equal(Tokens, source.Position);
        }
        finally
        {
            foreach (var evaluator in evaluators) ((IDisposable)evaluator).Dispose();
        }
    }

    [Fact]
    public void MaxTokensStopsEarly()
    {
        using var sae = NewSae();
        using var data = NewData();
        using var source = new InMemoryActivationSource(data, shuffle: false, cycle: false);
        using var sparsity = new SparsityMetrics(DSae);

        // Batches of 16, 16 and a truncated 8.
        var streamed = SaeEvaluation.Evaluate(sae, source, [sparsity], batchSize: 16, maxTokens: 40);

        Assert.Equal(40, sparsity.TokenCount);
        Assert.Equal(40, source.Position);
        using var head = data.narrow(0, 0, 40);
        Assert.Equal(OneShot(sae, head)[MetricNames.L0], streamed[MetricNames.L0], 9);
    }

    [Fact]
    public void MaxTokensBoundsACyclingSource()
    {
        using var sae = NewSae();
        using var data = NewData();
        using var source = new InMemoryActivationSource(data, shuffle: true, cycle: true);
        using var sparsity = new SparsityMetrics(DSae);

        SaeEvaluation.Evaluate(sae, source, [sparsity], batchSize: 64, maxTokens: 250);

        Assert.Equal(250, sparsity.TokenCount);
    }

    [Fact]
    public void WidthMismatchThrowsNamingBothWidths()
    {
        using var sae = NewSae();
        using var data = zeros(10, 6);
        using var source = new InMemoryActivationSource(data, shuffle: false, cycle: false);

        var e = Assert.Throws<ArgumentException>(() => SaeEvaluation.Evaluate(sae, source, SaeEvaluation.DefaultEvaluators(DSae)));
        Assert.Contains("d_in = 6", e.Message);
        Assert.Contains("d_in = 8", e.Message);
    }

    [Fact]
    public void DuplicateMetricNamesThrow()
    {
        using var sae = NewSae();
        using var data = NewData();
        using var source = new InMemoryActivationSource(data, shuffle: false, cycle: false);
        using var a = new SparsityMetrics(DSae);
        using var b = new SparsityMetrics(DSae, denseThreshold: 0.5);

        var e = Assert.Throws<InvalidOperationException>(() => SaeEvaluation.Evaluate(sae, source, [a, b]));
        Assert.Contains(MetricNames.L0, e.Message);
    }

    private static StandardSae NewSae()
    {
        using var generator = new Generator(1234);
        return new StandardSae(DIn, DSae, generator: generator);
    }

    // float64 with a non-zero mean: Evaluate must cast to the SAE's float32, and fvu must use the stream's mean.
    private static Tensor NewData()
    {
        using var generator = new Generator(42);
        using var scope = NewDisposeScope();
        return (randn(new long[] { Tokens, DIn }, dtype: ScalarType.Float64, generator: generator) + 0.5)
            .MoveToOuterDisposeScope();
    }

    /// <summary>The default metrics computed directly over all of <paramref name="data"/> at once.</summary>
    private static Dictionary<string, double> OneShot(StandardSae sae, Tensor data)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var forward = sae.Forward(data.to_type(ScalarType.Float32));
        var x = data.to_type(ScalarType.Float32).to_type(ScalarType.Float64);
        var xHat = forward.Reconstruction.to_type(ScalarType.Float64);
        var f = forward.Features.to_type(ScalarType.Float64);

        double sse = (x - xHat).square().sum().item<double>();
        double totalVariance = (x - x.mean([0L], keepdim: true)).square().sum().item<double>();
        var normIn = linalg.vector_norm(x, dims: [1L]);
        var normOut = linalg.vector_norm(xHat, dims: [1L]);
        var fired = f > 0;
        var frequency = fired.to_type(ScalarType.Float64).mean([0L]);
        var log10Frequency = (frequency + 1e-10).log10();

        return new Dictionary<string, double>
        {
            [MetricNames.Mse] = (x - xHat).square().mean().item<double>(),
            [MetricNames.Fvu] = sse / totalVariance,
            [MetricNames.ExplainedVariance] = 1 - sse / totalVariance,
            [MetricNames.CosineSimilarity] = nn.functional.cosine_similarity(x, xHat, dim: 1).mean().item<double>(),
            [MetricNames.L2NormIn] = normIn.mean().item<double>(),
            [MetricNames.L2NormOut] = normOut.mean().item<double>(),
            [MetricNames.L2Ratio] = (normOut / normIn).mean().item<double>(),
            [MetricNames.RelativeReconstructionBias] = (normOut.square().sum() / (x * xHat).sum()).item<double>(),
            [MetricNames.L0] = fired.sum(dim: 1).to_type(ScalarType.Float64).mean().item<double>(),
            [MetricNames.L1] = f.abs().sum(dim: 1).mean().item<double>(),
            [MetricNames.DeadFraction] = (frequency == 0).to_type(ScalarType.Float64).mean().item<double>(),
            [MetricNames.DenseFraction] = (frequency > 0.1).to_type(ScalarType.Float64).mean().item<double>(),
            [MetricNames.MeanLog10Frequency] = log10Frequency.mean().item<double>(),
            [MetricNames.MedianLog10Frequency] = Median(log10Frequency.data<double>().ToArray()),
        };
    }

    // torch.median returns the lower middle value; the evaluator averages the two middle ones.
    private static double Median(double[] values)
    {
        Array.Sort(values);
        int mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
