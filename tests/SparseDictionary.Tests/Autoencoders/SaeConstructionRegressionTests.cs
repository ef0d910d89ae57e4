using SparseDictionary.Autoencoders;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>
/// Constructing either architecture used to throw "Tensor invalid -- empty handle": the decoder Parameter took over
/// the initial tensor's handle before the encoder was built from its transpose.
/// </summary>
public class SaeConstructionRegressionTests
{
    [Fact]
    public void StandardSaeEncoderStartsAsScaledDecoderTranspose()
    {
        using var generator = new Generator(7);
        using var sae = new StandardSae(4, 6, generator: generator);
        Assert.True(sae.EncoderWeight.allclose(sae.DecoderWeight.t() * 0.1));
        Assert.Equal(new long[] { 6, 4 }, sae.DecoderWeight.shape);
    }

    [Fact]
    public void GatedSaeGateWeightStartsAsScaledDecoderTranspose()
    {
        using var generator = new Generator(7);
        using var sae = new GatedSae(4, 6, generator: generator);
        Assert.True(sae.GateWeight.allclose(sae.DecoderWeight.t() * 0.1));
        using var scope = NewDisposeScope();
        Assert.Equal(new long[] { 3, 4 }, sae.Forward(ones(3, 4)).Reconstruction.shape);
    }
}
