using SparseDictionary.Autoencoders;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>
/// <see cref="ISparseAutoencoder.FoldInputScale"/>: an SAE trained on s·x, once folded, gives on raw x the features it
/// gave on s·x and reconstructions divided by s.
/// </summary>
public class FoldInputScaleTests
{
    [Theory]
    [InlineData("standard", 2.5)]
    [InlineData("standard", 0.3)]
    [InlineData("gated", 2.5)]
    [InlineData("gated", 0.3)]
    [InlineData("topk", 2.5)]
    [InlineData("batchtopk", 0.3)]
    [InlineData("jumprelu", 2.5)]
    [InlineData("jumprelu", 0.3)]
    [InlineData("matryoshka_batchtopk", 2.5)]
    public void FoldedSaeOnRawInputMatchesOriginalOnScaledInput(string architecture, double s)
    {
        using var generator = new Generator(1234);
        // BatchTopK's threshold is in feature units, which folding leaves unchanged.
        using ISparseAutoencoder sae = TinySaes.Random(architecture, 4, 6, k: 2, generator, ScalarType.Float64, batchTopKThreshold: 0.2);
        using var scope = NewDisposeScope();
        // Random values for every parameter, biases and r_mag included (they start at 0, which would hide mistakes).
        foreach (var (name, p) in sae.NamedParameters)
        {
            var noise = randn(p.shape, dtype: ScalarType.Float64, generator: generator) * 0.5;
            TinySaes.Set(sae, name, name == "log_threshold" ? noise - 1 : noise);
        }
        var x = randn(new long[] { 16, 4 }, dtype: ScalarType.Float64, generator: generator) * 2;

        SaeForward original, unscaled;
        Tensor? originalGate;
        using (no_grad())
        {
            original = sae.Forward(x * s);
            unscaled = sae.Forward(x);
            originalGate = (sae as GatedSae)?.GatePreActivations(x * s);
        }
        // The case is not degenerate: some latents fire, some do not, and the scale changes the features.
        var active = (original.Features > 0).sum().ToInt64();
        Assert.InRange(active, 1, original.Features.numel() - 1);
        Assert.False(original.Features.allclose(unscaled.Features, rtol: 1e-6, atol: 1e-6));

        sae.FoldInputScale(s);
        SaeForward folded;
        Tensor? foldedGate;
        using (no_grad())
        {
            folded = sae.Forward(x);
            foldedGate = (sae as GatedSae)?.GatePreActivations(x);
        }

        Assert.True(folded.Features.allclose(original.Features, rtol: 1e-10, atol: 1e-10), "Features differ after folding.");
        Assert.True(folded.PreActivations.allclose(original.PreActivations, rtol: 1e-10, atol: 1e-10), "Pre-activations differ after folding.");
        Assert.True(folded.SparsityActivations.allclose(original.SparsityActivations, rtol: 1e-10, atol: 1e-10), "Sparsity activations differ after folding.");
        Assert.Equal(sae is GatedSae, originalGate is not null);
        if (originalGate is not null)
        {
            Assert.True(foldedGate!.allclose(originalGate, rtol: 1e-10, atol: 1e-10), "Gate pre-activations differ after folding.");
        }
        Assert.True(folded.Reconstruction.allclose(original.Reconstruction / s, rtol: 1e-10, atol: 1e-10), "Reconstruction is not the original's divided by s.");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void NonPositiveOrNonFiniteScaleThrows(double s)
    {
        using var sae = new StandardSae(2, 3, dtype: ScalarType.Float64);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => sae.FoldInputScale(s));
        Assert.Equal("scale", ex.ParamName);
    }
}
