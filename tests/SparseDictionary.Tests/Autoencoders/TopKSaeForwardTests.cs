using SparseDictionary.Autoencoders;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>The TopK SAE's forward pass against hand-computed values (see <see cref="TinySparseSaes.TopK"/>, k = 2).</summary>
public class TopKSaeForwardTests
{
    private static readonly double[,] ExpectedPre = { { 2, 1.5, -1, 2.5 }, { 1, 1, -0.5, 1 }, { -1, -0.25, 0.25, -1.75 } };

    // token 0: the two largest are 2.5 (latent 3) and 2 (latent 0).
    // token 1: 1, 1, −0.5, 1: three latents tie for the largest value; the lowest indices (0, 1) are kept, exactly k.
    // token 2: the two largest are 0.25 (latent 2) and −0.25 (latent 1); ReLU zeroes the negative one, so only one
    //          latent fires (fewer than k positive pre-activations).
    private static readonly double[,] ExpectedFeatures = { { 2, 0, 0, 2.5 }, { 1, 1, 0, 0 }, { 0, 0, 0.25, 0 } };

    // x̂ = f W_dec + b_dec with rows (1, 0), (0, 1), (1, 1), (0.5, −0.5) and b_dec = (1, 0):
    //   token 0: 2·(1, 0) + 2.5·(0.5, −0.5) = (3.25, −1.25) → (4.25, −1.25)
    //   token 1: (1, 0) + (0, 1) = (1, 1) → (2, 1)
    //   token 2: 0.25·(1, 1) → (1.25, 0.25)
    private static readonly double[,] ExpectedReconstruction = { { 4.25, -1.25 }, { 2, 1 }, { 1.25, 0.25 } };

    [Fact]
    public void ForwardMatchesHandComputedValues()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var forward = sae.Forward(TinySparseSaes.TopKInput());

        TensorAssert.Close(ExpectedPre, forward.PreActivations);
        TensorAssert.Close(ExpectedFeatures, forward.Features);
        TensorAssert.Close(ExpectedReconstruction, forward.Reconstruction);
        // No separate sparsity activations: a penalty would act on the features themselves.
        Assert.Same(forward.Features, forward.SparsityActivations);
        Assert.Equal("topk", sae.Architecture);
    }

    [Fact]
    public void EncodeAndDecodeAgreeWithForward()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.TopKInput();
        TensorAssert.Close(ExpectedFeatures, sae.Encode(x));
        TensorAssert.Close(ExpectedReconstruction, sae.Decode(sae.Encode(x)));
        TensorAssert.Close(ExpectedReconstruction, sae.forward(x));
    }

    [Fact]
    public void TiesKeepExactlyKLatentsWithTheLowestIndices()
    {
        // Every pre-activation of a token equal: b_enc alone decides, with W_enc = 0.
        using var sae = new TopKSae(2, 6, k: 4, dtype: ScalarType.Float64);
        using var scope = NewDisposeScope();
        TinySaes.Set(sae, "W_enc", zeros(2, 6, dtype: ScalarType.Float64));
        TinySaes.Set(sae, "b_enc", tensor(new double[] { 1, 3, 1, 1, 3, 1 }));
        var f = sae.Encode(zeros(2, 2, dtype: ScalarType.Float64));
        // The two 3s, then two of the four tied 1s: latents 0 and 2.
        TensorAssert.Close(new double[,] { { 1, 3, 1, 0, 3, 0 }, { 1, 3, 1, 0, 3, 0 } }, f);
    }

    [Fact]
    public void GradientsFlowOnlyThroughTheKeptLatents()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        sae.Encode(TinySparseSaes.TopKInput()).sum().backward();
        // d Σf / d b_enc = number of tokens on which each latent is kept with a positive value:
        // latent 0: tokens 0, 1; latent 1: token 1; latent 2: token 2; latent 3: token 0.
        TensorAssert.Close(new double[] { 2, 1, 1, 1 }, sae.EncoderBias.grad!);
    }

    [Fact]
    public void ConstructionChecksKAndStartsWithTheEncoderAsTheDecoderTranspose()
    {
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new TopKSae(4, 6, k: 0)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => new TopKSae(4, 6, k: 7)).ParamName);
        using var generator = new Generator(7);
        using var sae = new TopKSae(4, 6, k: 2, generator: generator);
        // Gao et al.: W_enc = W_decᵀ, not scaled by 0.1 as for the ReLU SAEs.
        Assert.True(sae.EncoderWeight.allclose(sae.DecoderWeight.t()));
        Assert.Equal(2, sae.K);
    }
}
