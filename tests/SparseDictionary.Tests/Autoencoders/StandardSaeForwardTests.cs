using SparseDictionary.Autoencoders;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>The standard SAE's forward pass against hand-computed values (see <see cref="TinySaes.Standard"/>).</summary>
public class StandardSaeForwardTests
{
    // x − b_dec = [[2−1, 1+1], [0−1, 3+1]] = [[1, 2], [−1, 4]].
    // pre = (x − b_dec) W_enc + b_enc, W_enc columns c0 = (1, 2), c1 = (−1, 1), c2 = (−2, 0.5):
    //   token 0: c0: 1·1 + 2·2 = 5, +0.5 = 5.5;  c1: −1 + 2 = 1, −0.5 = 0.5;   c2: −2 + 1 = −1, +0.25 = −0.75
    //   token 1: c0: −1 + 8 = 7, +0.5 = 7.5;     c1: 1 + 4 = 5, −0.5 = 4.5;    c2: 2 + 2 = 4, +0.25 = 4.25
    private static readonly double[,] ExpectedPre = { { 5.5, 0.5, -0.75 }, { 7.5, 4.5, 4.25 } };

    // f = ReLU(pre): the −0.75 is zeroed.
    private static readonly double[,] ExpectedFeatures = { { 5.5, 0.5, 0 }, { 7.5, 4.5, 4.25 } };

    // x̂ = f W_dec + b_dec, W_dec rows (0.2, 0), (0, 0.5), (−0.4, 0.2):
    //   token 0: (5.5·0.2, 0.5·0.5) = (1.1, 0.25), + (1, −1) = (2.1, −0.75)
    //   token 1: (7.5·0.2 − 4.25·0.4, 4.5·0.5 + 4.25·0.2) = (1.5 − 1.7, 2.25 + 0.85) = (−0.2, 3.1), + (1, −1) = (0.8, 2.1)
    private static readonly double[,] ExpectedReconstruction = { { 2.1, -0.75 }, { 0.8, 2.1 } };

    [Fact]
    public void ForwardMatchesHandComputedValues()
    {
        using var sae = TinySaes.Standard();
        using var scope = NewDisposeScope();
        var forward = sae.Forward(TinySaes.StandardInput());

        TensorAssert.Close(ExpectedPre, forward.PreActivations);
        TensorAssert.Close(ExpectedFeatures, forward.Features);
        TensorAssert.Close(ExpectedReconstruction, forward.Reconstruction);
        // The L1 penalty of a standard SAE acts on the features themselves.
        Assert.Same(forward.Features, forward.SparsityActivations);
        TensorAssert.Close(ExpectedFeatures, forward.SparsityActivations);
    }

    [Fact]
    public void EncodeAndDecodeAgreeWithForward()
    {
        using var sae = TinySaes.Standard();
        using var scope = NewDisposeScope();
        var x = TinySaes.StandardInput();
        var forward = sae.Forward(x);

        TensorAssert.Close(ExpectedFeatures, sae.Encode(x));
        TensorAssert.Close(ExpectedReconstruction, sae.Decode(forward.Features));
        TensorAssert.Close(ExpectedReconstruction, sae.Decode(sae.Encode(x)));
        TensorAssert.Close(ExpectedReconstruction, sae.forward(x));
    }

    [Fact]
    public void WrongWidthsThrowArgumentException()
    {
        using var sae = TinySaes.Standard();
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => sae.Forward(zeros(2, 3, dtype: ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => sae.Encode(zeros(2, 1, dtype: ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => sae.Encode(zeros(2, dtype: ScalarType.Float64)));
        // Decode takes features [tokens, d_sae = 3], not activations.
        Assert.Throws<ArgumentException>(() => sae.Decode(zeros(2, 2, dtype: ScalarType.Float64)));
    }
}
