using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

/// <summary>
/// The closed-form (sparse or dense) standard-SAE step against autograd on the same parameters and batch: same loss
/// terms, same gradients, same parameters after training.
/// </summary>
public class SparseStandardStepTests
{
    private const int DIn = 24, DSae = 192, Batch = 128;

    [Theory]
    [InlineData(0.01, true)]
    [InlineData(0.01, false)]
    [InlineData(0.04, true)]
    [InlineData(0.3, true)]
    [InlineData(0.3, false)]
    public void GradientsAndLossEqualAutograd(double activity, bool sparse)
    {
        using var scope = NewDisposeScope();
        var (sae, x) = SaeWithActivity(activity, seed: 11);
        var step = new SparseStandardStep(sae, 1.0, "mse_loss", 3.0, "l1_loss", maxActivity: sparse ? 1.0 : 0.0);

        var (forward, loss) = step.Run(x, sparsityScale: 0.5);
        Assert.Equal(sparse, step.LastStepWasSparse);
        var ours = Gradients(sae);
        var (referenceLoss, reference) = AutogradGradients(sae, x, l1: 3.0 * 0.5);

        Assert.Equal(referenceLoss.Terms["mse_loss"].ToDouble(), loss.Terms["mse_loss"].ToDouble(), 9);
        Assert.Equal(referenceLoss.Terms["l1_loss"].ToDouble(), loss.Terms["l1_loss"].ToDouble(), 9);
        Assert.Equal(referenceLoss.Total.ToDouble(), loss.Total.ToDouble(), 9);
        Assert.True(forward.Features.allclose(sae.Encode(x), rtol: 1e-12, atol: 1e-12), "features differ");
        Assert.True(forward.Reconstruction.allclose(sae.Forward(x).Reconstruction, rtol: 1e-10, atol: 1e-10), "reconstructions differ");
        foreach (var name in reference.Keys) AssertClose(reference[name], ours[name], name);
    }

    [Fact]
    public void SwitchesBetweenSparseAndDenseByBatchActivity()
    {
        using var scope = NewDisposeScope();
        var (sae, x) = SaeWithActivity(0.02, seed: 12);
        var step = new SparseStandardStep(sae, 2.0, "mse_loss", 1.0, "l1_loss", maxActivity: 0.08);

        foreach (var (bias, expectSparse) in new[] { (0.0, true), (10.0, false), (0.0, true) })
        {
            using (no_grad()) sae.EncoderBias.add_(bias);
            double measured = (sae.Encode(x) > 0).to(ScalarType.Float64).mean().ToDouble();
            Assert.Equal(expectSparse, measured <= 0.08);
            step.Run(x);
            Assert.Equal(expectSparse, step.LastStepWasSparse);
            var (_, reference) = AutogradGradients(sae, x, l1: 1.0, reconstruction: 2.0);
            var ours = Gradients(sae);
            foreach (var name in reference.Keys) AssertClose(reference[name], ours[name], $"{name} (bias {bias})");
            using (no_grad()) sae.EncoderBias.sub_(bias);
        }
    }

    [Theory]
    [InlineData(1.0)]  // every step sparse
    [InlineData(0.0)]  // every step dense
    [InlineData(0.25)] // the switch: dense while activity is high, then sparse
    public void TrainingMatchesAutogradStepByStep(double maxActivity)
    {
        using var scope = NewDisposeScope();
        var data = randn(new long[] { 2048, 16 }, dtype: ScalarType.Float64, generator: new Generator(5)) * 2.0;
        var options = new TrainerOptions
        {
            TotalSteps = 12, BatchSize = 256, LearningRate = 1e-2, L1WarmupSteps = 3,
            InitializationTokens = 512, LogEverySteps = 1, SparseStepMaxActivity = maxActivity,
        };
        using var closedForm = NewSae();
        using var autograd = NewSae();
        var spec = new StandardSpec { L1Coefficient = 20.0 };
        var a = new SaeTrainer(closedForm, spec, options).Train(new InMemoryActivationSource(data, seed: 2));
        var b = new SaeTrainer(autograd, spec, options with { SparseStep = SparseStepMode.Off }).Train(new InMemoryActivationSource(data, seed: 2));

        Assert.Equal(b.StepsCompleted, a.StepsCompleted);
        for (int i = 0; i < a.Curve.Count; i++) Assert.Equal(b.Curve[i].Loss, a.Curve[i].Loss, 9);
        foreach (var (name, p) in autograd.NamedParameters) AssertClose(p.detach(), closedForm.NamedParameters[name].detach(), name);
        // The run really crossed the threshold when asked to (L0 starts high and falls).
        if (maxActivity == 0.25)
        {
            Assert.Contains(a.Curve, c => c.L0 / 64 > 0.25);
            Assert.Contains(a.Curve, c => c.L0 / 64 <= 0.25);
        }

        static StandardSae NewSae() => new(16, 64, dtype: ScalarType.Float64, generator: new Generator(9));
    }

    [Fact]
    public void AppliesOnlyToTheStandardLossOnAStandardSae()
    {
        var options = new TrainerOptions();
        using var standard = new StandardSae(4, 8);
        using var gated = new GatedSae(4, 8);
        var standardLoss = new StandardSpec { L1Coefficient = 1.0 }.CreateLoss(standard, options);
        var weightedLoss = new StandardSpec { L1Coefficient = 1.0 }.CreateLoss(standard, options with { DecoderNorm = DecoderNormPolicy.WeightedL1 });
        Assert.NotNull(SparseStandardStep.TryCreate(standard, standardLoss, options));
        Assert.Null(SparseStandardStep.TryCreate(standard, standardLoss, options with { SparseStep = SparseStepMode.Off }));
        Assert.Null(SparseStandardStep.TryCreate(standard, weightedLoss, options));
        Assert.Null(SparseStandardStep.TryCreate(gated, new GatedSpec { L1Coefficient = 1.0 }.CreateLoss(gated, options), options));
        Assert.Null(SparseStandardStep.TryCreate(standard, new SaeLoss([new WeightedLossTerm(new ReconstructionLoss(), 1.0)]), options));
    }

    [Fact]
    public void SparseRowsMultiplyAsTheDenseMatrix()
    {
        using var scope = NewDisposeScope();
        var m = tensor(new float[,] { { 0, 2, 0 }, { 0, 0, 0 }, { 1, 0, 3 } });
        var d = tensor(new float[,] { { 1, 10 }, { 2, 20 }, { 3, 30 } });
        using var rows = SparseRows.FromDense(m);
        Assert.Equal(new long[] { 0, 2, 2 }, rows.Rows.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1, 1 }, rows.Offsets.data<long>().ToArray());
        // Hand-computed m·d = [[4, 40], [0, 0], [10, 100]].
        Assert.Equal(new float[] { 4, 40, 0, 0, 10, 100 }, rows.Multiply(d).data<float>().ToArray());
        using var byColumn = rows.Transpose(out var order);
        Assert.Equal(new long[] { 1, 0, 2 }, order.data<long>().ToArray());
        // mᵀ·[[1, 2, 3]]ᵀ-style check: mᵀ [3×3] times e = [[1],[2],[3]] → [3, 2, 9].
        Assert.Equal(new float[] { 3, 2, 9 }, byColumn.Multiply(tensor(new float[,] { { 1 }, { 2 }, { 3 } })).data<float>().ToArray());
    }

    [Theory]
    [InlineData(ScalarType.Float32, 37)]  // a width that leaves a remainder after the SIMD lanes
    [InlineData(ScalarType.Float32, 512)]
    [InlineData(ScalarType.Float64, 24)]
    public void SampledProductEqualsTheDenseProductAtThePositions(ScalarType dtype, int width)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(8);
        var left = randn(new long[] { 300, width }, dtype: dtype, generator: generator);
        var right = randn(new long[] { 200, width }, dtype: dtype, generator: generator);
        var rows = randint(0, 300, new long[] { 20_000 }, generator: generator);
        var columns = randint(0, 200, new long[] { 20_000 }, generator: generator);
        var expected = SampledProduct.Dense(left, right, rows, columns);
        var actual = SampledProduct.Compute(left, right, rows, columns);
        Assert.Equal(dtype, actual.dtype);
        Assert.True(SampledProduct.CpuLoopAvailable, "the CPU loop fell back to the dense product");
        double tolerance = dtype == ScalarType.Float32 ? 1e-4 : 1e-12;
        Assert.True(actual.allclose(expected, rtol: tolerance, atol: tolerance), $"max error {(actual - expected).abs().max().ToDouble():G3}");
        // One entry by hand: the dot product of the two rows.
        double dot = (left[rows[7]] * right[columns[7]]).sum().ToDouble();
        Assert.Equal(dot, actual[7].ToDouble(), dtype == ScalarType.Float32 ? 3 : 10);
    }

    /// <summary>A float64 SAE with random weights whose features on the returned batch are active at about <paramref name="activity"/>.</summary>
    private static (StandardSae Sae, Tensor X) SaeWithActivity(double activity, int seed)
    {
        var generator = new Generator((ulong)seed);
        var sae = new StandardSae(DIn, DSae, dtype: ScalarType.Float64, generator: generator);
        var x = randn(new long[] { Batch, DIn }, dtype: ScalarType.Float64, generator: generator);
        using (no_grad())
        {
            sae.EncoderWeight.copy_(randn(new long[] { DIn, DSae }, dtype: ScalarType.Float64, generator: generator));
            sae.DecoderBias.copy_(randn(DIn, dtype: ScalarType.Float64, generator: generator) * 0.1);
            sae.EncoderBias.copy_(randn(DSae, dtype: ScalarType.Float64, generator: generator) * 0.1);
            var pre = (x - sae.DecoderBias).mm(sae.EncoderWeight) + sae.EncoderBias;
            sae.EncoderBias.sub_(pre.flatten().quantile(1 - activity));
        }
        return (sae, x);
    }

    private static (LossValue, Dictionary<string, Tensor>) AutogradGradients(StandardSae sae, Tensor x, double l1, double reconstruction = 1.0)
    {
        foreach (var p in sae.NamedParameters.Values) p.grad?.zero_();
        var loss = new SaeLoss([new WeightedLossTerm(new ReconstructionLoss(), reconstruction), new WeightedLossTerm(new L1SparsityLoss(), l1, true)]);
        var value = loss.Compute(x, sae.Forward(x), sae);
        value.Total.backward();
        return (value, Gradients(sae));
    }

    private static Dictionary<string, Tensor> Gradients(StandardSae sae) =>
        sae.NamedParameters.ToDictionary(kv => kv.Key, kv => kv.Value.grad!.clone());

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().ToDouble();
        double error = (expected - actual).abs().max().ToDouble();
        Assert.True(error <= 1e-9 * Math.Max(scale, 1e-3), $"{what}: max error {error:G3} (scale {scale:G3})");
    }
}
