using SparseDictionary.Autoencoders;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

public class DeviceAndDtypeTests
{
    [Theory]
    [InlineData("standard")]
    [InlineData("gated")]
    [InlineData("topk")]
    [InlineData("batchtopk")]
    [InlineData("jumprelu")]
    [InlineData("matryoshka_batchtopk")]
    public void MoveToChangesEveryParameterAndKeepsTheFunction(string architecture)
    {
        using var generator = new Generator(3);
        using ISparseAutoencoder sae = TinySaes.Random(architecture, 6, 10, k: 3, generator, batchTopKThreshold: 0.1);
        using var scope = NewDisposeScope();
        var x = randn(new long[] { 5, 6 }, generator: generator);
        var before = sae.Forward(x).Reconstruction.to(ScalarType.Float64);

        sae.MoveTo(CPU, ScalarType.Float64);

        Assert.Equal(ScalarType.Float64, sae.DType);
        Assert.All(sae.NamedParameters.Values, p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(ScalarType.Float64, sae.DecoderWeight.dtype);
        Assert.Equal(ScalarType.Float64, sae.DecoderBias.dtype);
        var after = sae.Forward(x.to(ScalarType.Float64)).Reconstruction;
        Assert.True(after.allclose(before, rtol: 1e-5, atol: 1e-6));
        Assert.True(sae.DecoderWeight.requires_grad);
    }

    [Fact]
    public void ParametersCanBeCreatedInHalfPrecision()
    {
        using var generator = new Generator(3);
        using var sae = new StandardSae(4, 8, dtype: ScalarType.BFloat16, generator: generator);
        using var scope = NewDisposeScope();
        Assert.Equal(ScalarType.BFloat16, sae.DType);
        var f = sae.Encode(ones(2, 4, dtype: ScalarType.BFloat16));
        Assert.Equal(ScalarType.BFloat16, f.dtype);
    }
}
