using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>The Gated SAE's forward pass against hand-computed values (see <see cref="TinySaes.Gated"/>).</summary>
public class GatedSaeForwardTests
{
    // Shared projection p = (x − b_dec) W_gate with x − b_dec = [[1, 1], [2, −1]] and W_gate columns
    // c0 = (2, 0), c1 = (−1, 0.5), c2 = (2, −1):
    //   token 0: (2, −1 + 0.5, 2 − 1) = (2, −0.5, 1)
    //   token 1: (4, −2 − 0.5, 4 + 1) = (4, −2.5, 5)
    // π_gate = p + b_gate, b_gate = (−3, 1, 0.5):
    //   token 0: (−1, 0.5, 1.5);  token 1: (1, −1.5, 5.5)
    private static readonly double[,] ExpectedGate = { { -1, 0.5, 1.5 }, { 1, -1.5, 5.5 } };

    // π_mag = p ⊙ exp(r_mag) + b_mag, exp(r_mag) = (2, e, 0.5), b_mag = (−1, 0.25, 0.25):
    //   token 0: (2·2 − 1, −0.5e + 0.25, 1·0.5 + 0.25) = (3, 0.25 − 0.5e ≈ −1.109, 0.75)
    //   token 1: (4·2 − 1, −2.5e + 0.25, 5·0.5 + 0.25) = (7, 0.25 − 2.5e ≈ −6.546, 2.75)
    // (Without exp(r_mag) latent 0 would read 1 and 3, latent 2 1.25 and 5.25.)
    private static readonly double[,] ExpectedMagnitude =
    {
        { 3, 0.25 - 0.5 * Math.E, 0.75 },
        { 7, 0.25 - 2.5 * Math.E, 2.75 },
    };

    // f = 1[π_gate > 0] ⊙ ReLU(π_mag):
    //   token 0: latent 0 gate −1 ≤ 0 though magnitude 3 > 0 → 0; latent 1 gate 0.5 > 0 but magnitude < 0 → 0;
    //            latent 2 both positive → 0.75
    //   token 1: latent 0 gate 1 > 0, magnitude 7 → 7; latent 1 gate −1.5 → 0; latent 2 → 2.75
    private static readonly double[,] ExpectedFeatures = { { 0, 0, 0.75 }, { 7, 0, 2.75 } };

    // x̂ = f W_dec + b_dec, W_dec rows (0.25, 0), (1, 1), (0, 0.5), b_dec = (0.5, −0.5):
    //   token 0: (0, 0.75·0.5) = (0, 0.375) + b_dec = (0.5, −0.125)
    //   token 1: (7·0.25, 2.75·0.5) = (1.75, 1.375) + b_dec = (2.25, 0.875)
    private static readonly double[,] ExpectedReconstruction = { { 0.5, -0.125 }, { 2.25, 0.875 } };

    [Fact]
    public void ForwardMatchesHandComputedValues()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var forward = sae.Forward(TinySaes.GatedInput());

        TensorAssert.Close(ExpectedGate, sae.GatePreActivations(TinySaes.GatedInput()));
        TensorAssert.Close(ExpectedMagnitude, forward.PreActivations);
        TensorAssert.Close(ExpectedFeatures, forward.Features);
        TensorAssert.Close(ExpectedReconstruction, forward.Reconstruction);
        // The L1 penalty of a Gated SAE acts on ReLU(π_gate), not on f.
        TensorAssert.Close(new double[,] { { 0, 0.5, 1.5 }, { 1, 0, 5.5 } }, forward.SparsityActivations);
    }

    [Fact]
    public void EncodeAndDecodeAgreeWithForward()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();

        TensorAssert.Close(ExpectedFeatures, sae.Encode(x));
        TensorAssert.Close(ExpectedReconstruction, sae.Decode(sae.Encode(x)));
        TensorAssert.Close(ExpectedReconstruction, sae.forward(x));
    }

    [Fact]
    public void WrongInputWidthThrowsArgumentException()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => sae.Forward(zeros(2, 3, dtype: ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => sae.Encode(zeros(1, 1, dtype: ScalarType.Float64)));
    }
}
