using TorchSharp;
using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Tests.Autoencoders;
using SparseDictionary.Training;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Losses;

/// <summary>
/// Loss values and gradients on the hand-set Gated SAE (<see cref="TinySaes.Gated"/>), whose forward pass is
/// π_gate = [[−1, 0.5, 1.5], [1, −1.5, 5.5]], f = [[0, 0, 0.75], [7, 0, 2.75]], x̂ = [[0.5, −0.125], [2.25, 0.875]]
/// for x = [[1.5, 0.5], [2.5, −1.5]] (see <see cref="GatedSaeForwardTests"/> for the arithmetic).
/// </summary>
public class GatedLossTests
{
    // r = x̂ − x: token 0 (−1, −0.625), token 1 (−0.25, 2.375).
    // ‖r₀‖² = 1 + 0.390625 = 1.390625, ‖r₁‖² = 0.0625 + 5.640625 = 5.703125; mean = 7.09375 / 2 = 3.546875.
    private const double ExpectedMse = 3.546875;

    // ReLU(π_gate) = [[0, 0.5, 1.5], [1, 0, 5.5]]: sums 2 and 6.5, mean 4.25. (On f it would be (0.75 + 9.75)/2 = 5.25.)
    private const double ExpectedL1 = 4.25;

    // x̂_frozen = ReLU(π_gate) W_dec + b_dec:
    //   token 0: (0 + 0.5·1 + 0, 0 + 0.5·1 + 1.5·0.5) = (0.5, 1.25) + (0.5, −0.5) = (1, 0.75); x₀ = (1.5, 0.5)
    //            residual (−0.5, 0.25), squared 0.25 + 0.0625 = 0.3125
    //   token 1: (1·0.25, 5.5·0.5) = (0.25, 2.75) + (0.5, −0.5) = (0.75, 2.25); x₁ = (2.5, −1.5)
    //            residual (−1.75, 3.75), squared 3.0625 + 14.0625 = 17.125
    //   mean = 17.4375 / 2 = 8.71875
    private const double ExpectedAux = 8.71875;

    [Fact]
    public void ReconstructionLossValue()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        TensorAssert.Close(ExpectedMse, new ReconstructionLoss().Compute(x, sae.Forward(x), sae));
    }

    [Fact]
    public void L1ActsOnReluOfGatePreActivationsNotOnFeatures()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        var loss = new L1SparsityLoss().Compute(x, sae.Forward(x), sae);
        TensorAssert.Close(ExpectedL1, loss);

        loss.backward();
        // dL/db_gate = (1/B) Σₜ 1[π_gate,ₜ > 0] = ((0, 1, 1) + (1, 0, 1)) / 2 = (0.5, 0.5, 1).
        TensorAssert.Close(new[] { 0.5, 0.5, 1.0 }, sae.GateBias.grad!);
        // Nothing of the magnitude path is penalised.
        TensorAssert.NullOrZero(sae.MagnitudeBias.grad, "b_mag");
        TensorAssert.NullOrZero(sae.MagnitudeLogScale.grad, "r_mag");
    }

    [Fact]
    public void DecoderNormWeightedL1Value()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        var loss = new L1SparsityLoss(weightByDecoderNorm: true).Compute(x, sae.Forward(x), sae);
        // ‖W_dec rows‖ = (0.25, √2, 0.5).
        // token 0: 0·0.25 + 0.5·√2 + 1.5·0.5 = 0.75 + 0.5√2;  token 1: 1·0.25 + 0 + 5.5·0.5 = 3
        // mean = (3.75 + 0.5√2) / 2 = 1.875 + 0.25√2
        TensorAssert.Close(1.875 + 0.25 * Math.Sqrt(2), loss);
    }

    [Fact]
    public void AuxiliaryLossValue()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        TensorAssert.Close(ExpectedAux, new GatedAuxiliaryLoss().Compute(x, sae.Forward(x), sae));
    }

    [Fact]
    public void AuxiliaryLossDecodesTheForwardsSparsityActivations()
    {
        using var sae = TinySaes.Gated();
        using var standard = TinySaes.Standard();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        var forward = sae.Forward(x);
        // The Gated forward's sparsity activations are ReLU(π_gate), which the term decodes (the hand value above).
        TensorAssert.Close(new double[,] { { 0, 0.5, 1.5 }, { 1, 0, 5.5 } }, forward.SparsityActivations);
        TensorAssert.Close(ExpectedAux, new GatedAuxiliaryLoss().Compute(x, forward, sae));
        // With the features f in their place the frozen decoder gives x̂ itself: the term is the reconstruction loss.
        TensorAssert.Close(ExpectedMse, new GatedAuxiliaryLoss().Compute(x, forward with { SparsityActivations = forward.Features }, sae));

        // A standard SAE's sparsity activations are its features, so there too the term is its reconstruction loss:
        // residuals (0.1, −1.75), (0.8, −0.9) → (3.0725 + 1.45) / 2 = 2.26125 (StandardLossTests).
        var xs = TinySaes.StandardInput();
        TensorAssert.Close(2.26125, new GatedAuxiliaryLoss().Compute(xs, standard.Forward(xs), standard));
    }

    [Fact]
    public void AuxiliaryTermTrainsTheGatePathAndNotTheDecoder()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        new GatedAuxiliaryLoss().Compute(x, sae.Forward(x), sae).backward();

        // The decoder matrix is a frozen copy: no gradient at all.
        TensorAssert.NullOrZero(sae.DecoderWeight.grad, "W_dec");
        // The magnitude path is not part of the term.
        TensorAssert.NullOrZero(sae.MagnitudeBias.grad, "b_mag");
        TensorAssert.NullOrZero(sae.MagnitudeLogScale.grad, "r_mag");

        // Gate path: δₜ = (2/B)(x̂_frozen,ₜ − xₜ) = residuals (−0.5, 0.25) and (−1.75, 3.75);
        // dL/dπₜ = 1[πₜ > 0] ⊙ (W_dec δₜ):
        //   W_dec δ₀ = (0.25·(−0.5), −0.5 + 0.25, 0.5·0.25) = (−0.125, −0.25, 0.125), mask (0, 1, 1) → (0, −0.25, 0.125)
        //   W_dec δ₁ = (0.25·(−1.75), −1.75 + 3.75, 0.5·3.75) = (−0.4375, 2, 1.875),   mask (1, 0, 1) → (−0.4375, 0, 1.875)
        // dL/db_gate = Σₜ gₜ = (−0.4375, −0.25, 2).
        TensorAssert.Close(new[] { -0.4375, -0.25, 2.0 }, sae.GateBias.grad!);
        // dL/dW_gate = Σₜ (xₜ − b_dec)ᵀ gₜ with x − b_dec = (1, 1), (2, −1):
        //   row 0: 1·(0, −0.25, 0.125) + 2·(−0.4375, 0, 1.875) = (−0.875, −0.25, 3.875)
        //   row 1: 1·(0, −0.25, 0.125) − 1·(−0.4375, 0, 1.875) = (0.4375, −0.25, −1.75)
        TensorAssert.Close(new double[,] { { -0.875, -0.25, 3.875 }, { 0.4375, -0.25, -1.75 } }, sae.GateWeight.grad!);

        // b_dec: the decoder's copy is frozen, so the reconstruction side contributes nothing (unfrozen it would add
        // Σₜ δₜ = (−2.25, 4)). What remains is the paper's pre-encoder centring x − b_dec inside π_gate, −Σₜ W_gate gₜ:
        //   W_gate g₀ = (2·0 − 1·(−0.25) + 2·0.125, 0.5·(−0.25) − 1·0.125) = (0.5, −0.25)
        //   W_gate g₁ = (2·(−0.4375) + 2·1.875, −1·1.875) = (2.875, −1.875)
        //   → −(3.375, −2.125) = (−3.375, 2.125)
        TensorAssert.Close(new[] { -3.375, 2.125 }, sae.DecoderBias.grad!);
    }

    [Fact]
    public void AuxiliaryTermWithDetachedCentringSendsNoGradientToTheDecoderAtAll()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        var term = GatedAuxiliaryLoss.WithDetachedInputCentring(sae);
        Assert.True(term.StopGradientToInputCentring);
        Assert.False(new GatedAuxiliaryLoss().StopGradientToInputCentring);
        var value = term.Compute(x, sae.Forward(x), sae);
        double paperValue = new GatedAuxiliaryLoss().Compute(x, sae.Forward(x), sae).ToDouble();
        value.backward();

        Assert.Equal(paperValue, value.ToDouble(), 12); // same value, only the gradient path differs
        TensorAssert.NullOrZero(sae.DecoderWeight.grad, "W_dec");
        TensorAssert.NullOrZero(sae.DecoderBias.grad, "b_dec");
        // The gate path learns exactly as with the paper's term (hand-computed in the test above).
        TensorAssert.Close(new[] { -0.4375, -0.25, 2.0 }, sae.GateBias.grad!);
        TensorAssert.Close(new double[,] { { -0.875, -0.25, 3.875 }, { 0.4375, -0.25, -1.75 } }, sae.GateWeight.grad!);
    }

    [Fact]
    public void ReconstructionTermSendsNoGradientThroughTheHeavisideGate()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        new ReconstructionLoss().Compute(x, sae.Forward(x), sae).backward();

        TensorAssert.NullOrZero(sae.GateBias.grad, "b_gate");

        // Magnitude path: δₜ = rₜ = (−1, −0.625), (−0.25, 2.375); dL/dπ_mag,ₜ = 1[π_gate > 0]·1[π_mag > 0] ⊙ (W_dec δₜ):
        //   W_dec δ₀ = (−0.25, −1.625, −0.3125), mask (0, 0, 1) → (0, 0, −0.3125)
        //   W_dec δ₁ = (−0.0625, 2.125, 1.1875), mask (1, 0, 1) → (−0.0625, 0, 1.1875)
        // dL/db_mag = (−0.0625, 0, 0.875).
        TensorAssert.Close(new[] { -0.0625, 0.0, 0.875 }, sae.MagnitudeBias.grad!);
        // dL/dr_mag = Σₜ dL/dπ_mag,ₜ ⊙ pₜ ⊙ exp(r_mag), p = (2, −0.5, 1), (4, −2.5, 5), exp(r_mag) = (2, e, 0.5):
        //   latent 0: −0.0625·4·2 = −0.5;  latent 1: 0;  latent 2: −0.3125·1·0.5 + 1.1875·5·0.5 = −0.15625 + 2.96875 = 2.8125
        TensorAssert.Close(new[] { -0.5, 0.0, 2.8125 }, sae.MagnitudeLogScale.grad!);
    }

    [Fact]
    public void ComposedGatedLossIsCoefficientWeightedSum()
    {
        using var sae = TinySaes.Gated();
        using var scope = NewDisposeScope();
        var x = TinySaes.GatedInput();
        var forward = sae.Forward(x);

        var full = new GatedSpec { L1Coefficient = 0.2 }.CreateLoss(sae, new TrainerOptions()).Compute(x, forward, sae);
        // 3.546875 + 0.2 · 4.25 + 8.71875 = 3.546875 + 0.85 + 8.71875 = 13.115625
        TensorAssert.Close(13.115625, full.Total);
        Assert.Equal(3, full.Terms.Count);
        TensorAssert.Close(ExpectedMse, full.Terms["mse_loss"]);
        TensorAssert.Close(ExpectedL1, full.Terms["l1_loss"]);
        TensorAssert.Close(ExpectedAux, full.Terms["auxiliary_reconstruction_loss"]);

        // sparsityScale touches only the L1 term: 3.546875 + 0.5 · 0.2 · 4.25 + 8.71875 = 12.690625
        TensorAssert.Close(12.690625, new GatedSpec { L1Coefficient = 0.2 }.CreateLoss(sae, new TrainerOptions()).Compute(x, forward, sae, sparsityScale: 0.5).Total);

        var noAux = new GatedSpec { L1Coefficient = 0.2, GatedLoss = GatedLossVariant.WithoutAuxiliary }.CreateLoss(sae, new TrainerOptions()).Compute(x, forward, sae);
        // 3.546875 + 0.85 = 4.396875
        TensorAssert.Close(4.396875, noAux.Total);
        Assert.Equal(new[] { "l1_loss", "mse_loss" }, noAux.Terms.Keys.OrderBy(k => k, StringComparer.Ordinal));
    }
}
