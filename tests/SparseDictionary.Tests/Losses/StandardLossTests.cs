using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Tests.Autoencoders;
using SparseDictionary.Training;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Losses;

/// <summary>
/// Loss values and gradients on the hand-set standard SAE (<see cref="TinySaes.Standard"/>), whose forward pass is
/// f = [[5.5, 0.5, 0], [7.5, 4.5, 4.25]], x̂ = [[2.1, −0.75], [0.8, 2.1]] for x = [[2, 1], [0, 3]].
/// </summary>
public class StandardLossTests
{
    // Residuals r = x̂ − x: token 0 (0.1, −1.75), token 1 (0.8, −0.9).
    // ‖r₀‖² = 0.01 + 3.0625 = 3.0725, ‖r₁‖² = 0.64 + 0.81 = 1.45; mean over the batch = 4.5225 / 2 = 2.26125.
    private const double ExpectedMse = 2.26125;

    // Σᵢ fᵢ per token: 5.5 + 0.5 + 0 = 6, 7.5 + 4.5 + 4.25 = 16.25; mean = 22.25 / 2 = 11.125.
    private const double ExpectedL1 = 11.125;

    [Fact]
    public void ReconstructionLossValueIsSquaredErrorSummedOverDInAveragedOverBatch()
    {
        using var sae = TinySaes.Standard();
        using var scope = NewDisposeScope();
        var x = TinySaes.StandardInput();
        var forward = sae.Forward(x);
        var loss = new ReconstructionLoss().Compute(x, forward, sae);
        TensorAssert.Close(ExpectedMse, loss);
        TensorAssert.Close(new[] { 3.0725, 1.45 }, ReconstructionLoss.PerToken(x, forward.Reconstruction));
    }

    [Fact]
    public void ReconstructionLossGradientsMatchHandComputation()
    {
        using var sae = TinySaes.Standard();
        using var scope = NewDisposeScope();
        var x = TinySaes.StandardInput();
        new ReconstructionLoss().Compute(x, sae.Forward(x), sae).backward();

        // dL/dx̂ₜ = (2/B)(x̂ₜ − xₜ) = rₜ with B = 2: δ₀ = (0.1, −1.75), δ₁ = (0.8, −0.9).
        // dL/dW_dec[i] = Σₜ fₜᵢ δₜ:
        //   row 0: 5.5·(0.1, −1.75) + 7.5·(0.8, −0.9) = (0.55, −9.625) + (6, −6.75) = (6.55, −16.375)
        //   row 1: 0.5·(0.1, −1.75) + 4.5·(0.8, −0.9) = (0.05, −0.875) + (3.6, −4.05) = (3.65, −4.925)
        //   row 2: 0 + 4.25·(0.8, −0.9) = (3.4, −3.825)
        TensorAssert.Close(new double[,] { { 6.55, -16.375 }, { 3.65, -4.925 }, { 3.4, -3.825 } }, sae.DecoderWeight.grad!);

        // b_dec enters twice: added to x̂ (gradient Σₜ δₜ = (0.9, −2.65)) and subtracted from x before encoding.
        // Encoder path: dL/dpreₜ = 1[preₜ > 0] ⊙ (W_dec δₜ):
        //   W_dec δ₀ = (0.2·0.1, 0.5·(−1.75), −0.4·0.1 + 0.2·(−1.75)) = (0.02, −0.875, −0.39), mask (1, 1, 0) → (0.02, −0.875, 0)
        //   W_dec δ₁ = (0.16, −0.45, −0.32 − 0.18 = −0.5), mask (1, 1, 1) → (0.16, −0.45, −0.5)
        // d pre / d b_dec = −W_encᵀ, so the path contributes −Σₜ W_enc gₜ:
        //   W_enc g₀ = (0.02 + 0.875 + 0, 0.04 − 0.875 + 0) = (0.895, −0.835)
        //   W_enc g₁ = (0.16 + 0.45 + 1.0, 0.32 − 0.45 − 0.25) = (1.61, −0.38)
        //   sum (2.505, −1.215) → −(2.505, −1.215)
        // dL/db_dec = (0.9 − 2.505, −2.65 + 1.215) = (−1.605, −1.435).
        TensorAssert.Close(new[] { -1.605, -1.435 }, sae.DecoderBias.grad!);
    }

    [Fact]
    public void L1ValueAndGradientOnFeatures()
    {
        using var sae = TinySaes.Standard();
        using var scope = NewDisposeScope();
        var x = TinySaes.StandardInput();
        var loss = new L1SparsityLoss().Compute(x, sae.Forward(x), sae);
        TensorAssert.Close(ExpectedL1, loss);

        loss.backward();
        // dL/db_enc = (1/B) Σₜ 1[preₜ > 0] = ((1, 1, 0) + (1, 1, 1)) / 2 = (1, 1, 0.5).
        TensorAssert.Close(new[] { 1.0, 1.0, 0.5 }, sae.EncoderBias.grad!);
        // The plain L1 term does not read the decoder.
        TensorAssert.NullOrZero(sae.DecoderWeight.grad, "W_dec");
    }

    [Fact]
    public void DecoderNormWeightedL1Value()
    {
        using var sae = TinySaes.Standard();
        using var scope = NewDisposeScope();
        var x = TinySaes.StandardInput();
        var loss = new L1SparsityLoss(weightByDecoderNorm: true).Compute(x, sae.Forward(x), sae);
        // ‖W_dec rows‖ = (0.2, 0.5, √(0.16 + 0.04) = √0.2).
        // token 0: 5.5·0.2 + 0.5·0.5 + 0 = 1.1 + 0.25 = 1.35
        // token 1: 7.5·0.2 + 4.5·0.5 + 4.25·√0.2 = 3.75 + 4.25·√0.2
        // mean = (5.1 + 4.25·√0.2) / 2 = 2.55 + 2.125·√0.2 ≈ 3.50033
        TensorAssert.Close(2.55 + 2.125 * Math.Sqrt(0.2), loss);
    }

    [Fact]
    public void ComposedStandardLossIsCoefficientWeightedSum()
    {
        using var sae = TinySaes.Standard();
        using var scope = NewDisposeScope();
        var x = TinySaes.StandardInput();
        var forward = sae.Forward(x);
        var loss = new StandardSpec { L1Coefficient = 0.3 }.CreateLoss(sae, new TrainerOptions());

        var value = loss.Compute(x, forward, sae);
        // 2.26125 + 0.3 · 11.125 = 2.26125 + 3.3375 = 5.59875
        TensorAssert.Close(5.59875, value.Total);
        Assert.Equal(new[] { "l1_loss", "mse_loss" }, value.Terms.Keys.OrderBy(k => k, StringComparer.Ordinal));
        TensorAssert.Close(ExpectedMse, value.Terms["mse_loss"]);
        TensorAssert.Close(ExpectedL1, value.Terms["l1_loss"]);

        // sparsityScale multiplies only the sparsity term: 2.26125 + 0.5 · 0.3 · 11.125 = 2.26125 + 1.66875 = 3.93
        var warm = loss.Compute(x, forward, sae, sparsityScale: 0.5);
        TensorAssert.Close(3.93, warm.Total);
        TensorAssert.Close(ExpectedL1, warm.Terms["l1_loss"]);

        // Under DecoderNormPolicy.WeightedL1 the decoder-norm-weighted term is swapped in: 2.26125 + 0.3 · (2.55 + 2.125·√0.2).
        var weighted = new StandardSpec { L1Coefficient = 0.3 }
            .CreateLoss(sae, new TrainerOptions { DecoderNorm = DecoderNormPolicy.WeightedL1 }).Compute(x, forward, sae);
        TensorAssert.Close(2.26125 + 0.3 * (2.55 + 2.125 * Math.Sqrt(0.2)), weighted.Total);
    }
}
