using SparseDictionary.Autoencoders;
using SparseDictionary.Tests.Autoencoders;
using SparseDictionary.Training;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

public class DecoderNormTests
{
    [Fact]
    public void RemoveParallelGradientKeepsOnlyTheOrthogonalPart()
    {
        using var sae = new StandardSae(2, 2, dtype: ScalarType.Float64);
        using var scope = NewDisposeScope();
        // Row 0 is the unit vector w₀ = (0.6, 0.8); row 1 = (0, 2) is not unit, its direction is (0, 1).
        TinySaes.Set(sae, "W_dec", tensor(new double[,] { { 0.6, 0.8 }, { 0, 2 } }));
        // Gradient G = [[1, 2], [3, −5]] via backward of Σ W_dec ⊙ G.
        var g = tensor(new double[,] { { 1, 2 }, { 3, -5 } });
        (sae.DecoderWeight * g).sum().backward();

        DecoderNorm.RemoveParallelGradient(sae.DecoderWeight);
        var grad = sae.DecoderWeight.grad!;

        // Row 0: g·w = 0.6 + 1.6 = 2.2; g − 2.2·(0.6, 0.8) = (1 − 1.32, 2 − 1.76) = (−0.32, 0.24).
        // Row 1: g·u = −5 with u = (0, 1); g + 5·(0, 1) = (3, 0).
        TensorAssert.Close(new double[,] { { -0.32, 0.24 }, { 3, 0 } }, grad);
        // Orthogonal to the rows, and the component along w⊥ is unchanged: w₀⊥ = (−0.8, 0.6), g₀·w₀⊥ = −0.8 + 1.2 = 0.4;
        // w₁⊥ = (1, 0), g₁·w₁⊥ = 3.
        TensorAssert.Close(new[] { 0.0, 0.0 }, (grad * sae.DecoderWeight).sum(dim: 1));
        var perp = tensor(new double[,] { { -0.8, 0.6 }, { 1, 0 } });
        TensorAssert.Close(new[] { 0.4, 3.0 }, (grad * perp).sum(dim: 1));
        // The weights themselves are untouched.
        TensorAssert.Close(new double[,] { { 0.6, 0.8 }, { 0, 2 } }, sae.DecoderWeight);
    }

    [Fact]
    public void RemoveParallelGradientWithoutGradientIsNoOp()
    {
        using var sae = new StandardSae(2, 2, dtype: ScalarType.Float64);
        DecoderNorm.RemoveParallelGradient(sae.DecoderWeight);
        Assert.Null(sae.DecoderWeight.grad);
    }

    [Fact]
    public void NormalizeRowsGivesUnitRowsInTheSameDirections()
    {
        using var sae = new StandardSae(2, 3, dtype: ScalarType.Float64);
        using var scope = NewDisposeScope();
        TinySaes.Set(sae, "W_dec", tensor(new double[,] { { 3, 4 }, { 0, -2 }, { 0.6, 0.8 } }));
        DecoderNorm.NormalizeRows(sae.DecoderWeight);
        // (3, 4)/5, (0, −2)/2, and an already-unit row unchanged.
        TensorAssert.Close(new double[,] { { 0.6, 0.8 }, { 0, -1 }, { 0.6, 0.8 } }, sae.DecoderWeight);
    }
}
