using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Tests.Autoencoders;
using SparseDictionary.Training;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Losses;

/// <summary>
/// The AuxK term on the hand-set TopK SAE (<see cref="TinySparseSaes.TopK"/>): pre = [[2, 1.5, −1, 2.5], [1, 1, −0.5, 1],
/// [−1, −0.25, 0.25, −1.75]], x̂ = [[4.25, −1.25], [2, 1], [1.25, 0.25]] for x = [[3, 1], [2, 0.5], [0, −0.75]], so the
/// residual e = x − x̂ = [[−1.25, 2.25], [0, −0.5], [−1.25, −1]].
/// </summary>
public class AuxKLossTests
{
    private static LossContext Dead(params bool[] mask) => new(_ => tensor(mask));

    [Fact]
    public void DeadLatentsReconstructTheResidual()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.TopKInput();
        var forward = sae.Forward(x);
        // Latents 0, 1, 2 dead, k_aux = 2: |D| = 3 ≥ k_aux, so the scale is min(3/2, 1) = 1 and each token keeps its two
        // largest ReLU(z) among the dead:
        //   token 0: (2, 1.5, 0) → latents 0, 1: z_aux = (2, 1.5, 0, 0), ê = 2·(1, 0) + 1.5·(0, 1) = (2, 1.5)
        //   token 1: (1, 1, 0) → (1, 1, 0, 0), ê = (1, 1)
        //   token 2: (0, 0, 0.25) → latent 2 and a zero: ê = 0.25·(1, 1) = (0.25, 0.25)
        // e − ê: (−3.25, 0.75) → 10.5625 + 0.5625 = 11.125; (−1, −1.5) → 3.25; (−1.5, −1.25) → 2.25 + 1.5625 = 3.8125.
        // Mean: 18.1875 / 3 = 6.0625. No b_dec in ê.
        var loss = new AuxKLoss(auxiliaryLatents: 2).Compute(x, forward, sae, Dead(true, true, true, false));
        TensorAssert.Close(6.0625, loss);

        loss.backward();
        // e is detached, so W_dec's gradient comes from ê only: ∂/∂W_dec,ᵢ = (2/B) Σₜ z_aux,ₜᵢ (êₜ − eₜ):
        //   row 0: (2/3)·[2·(3.25, −0.75) + 1·(1, 1.5)] = (2/3)·(7.5, 0) = (5, 0)
        //   row 1: (2/3)·[1.5·(3.25, −0.75) + (1, 1.5)] = (2/3)·(5.875, 0.375) = (47/12, 0.25)
        //   row 2: (2/3)·0.25·(1.5, 1.25) = (0.25, 5/24);  row 3: live latent, 0
        TensorAssert.Close(new double[,] { { 5, 0 }, { 47.0 / 12, 0.25 }, { 0.25, 5.0 / 24 }, { 0, 0 } }, sae.DecoderWeight.grad!);
    }

    [Fact]
    public void FewDeadLatentsScaleTheTermDown()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.TopKInput();
        var forward = sae.Forward(x);
        // Only latent 2 dead, k_aux = 2: the scale is min(1/2, 1) = 0.5 and one latent is used. ReLU(z₂) = (0, 0, 0.25):
        // ê = 0, 0, (0.25, 0.25); ‖e − ê‖² = 6.625, 0.25, 3.8125; mean 10.6875 / 3 = 3.5625; × 0.5 = 1.78125.
        TensorAssert.Close(1.78125, new AuxKLoss(auxiliaryLatents: 2).Compute(x, forward, sae, Dead(false, false, true, false)));
    }

    [Fact]
    public void DefaultKAuxIsHalfTheInputWidth()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.TopKInput();
        var forward = sae.Forward(x);
        // d_in = 2 → k_aux = 1; dead 0, 1, 2: scale 1, each token keeps its largest dead ReLU(z):
        //   token 0: latent 0 (2) → ê = (2, 0), e − ê = (−3.25, 2.25) → 10.5625 + 5.0625 = 15.625
        //   token 1: latents 0 and 1 tie at 1 → latent 0 → ê = (1, 0), e − ê = (−1, −0.5) → 1.25
        //   token 2: latent 2 (0.25) → 3.8125 as above
        // mean = 20.6875 / 3
        TensorAssert.Close(20.6875 / 3, new AuxKLoss().Compute(x, forward, sae, Dead(true, true, true, false)));
    }

    [Fact]
    public void NoDeadLatentsOrNoStatisticsGiveZero()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.TopKInput();
        var forward = sae.Forward(x);
        var term = new AuxKLoss();
        TensorAssert.Close(0, term.Compute(x, forward, sae, Dead(false, false, false, false)));
        TensorAssert.Close(0, term.Compute(x, forward, sae, LossContext.None));
        TensorAssert.Close(0, term.Compute(x, forward, sae));
    }

    [Fact]
    public void TheDeadWindowIsPassedToTheContext()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.TopKInput();
        long asked = 0;
        var context = new LossContext(window => { asked = window; return zeros(4, dtype: ScalarType.Bool); });
        new AuxKLoss(deadWindowTokens: 12_345).Compute(x, sae.Forward(x), sae, context);
        Assert.Equal(12_345, asked);
        Assert.Equal(AuxKLoss.DefaultDeadWindowTokens, new AuxKLoss().DeadWindowTokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuxKLoss(auxiliaryLatents: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuxKLoss(deadWindowTokens: 0));
    }

    [Fact]
    public void DefaultTopKLossIsReconstructionPlusAuxKOver32()
    {
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.TopKInput();
        var forward = sae.Forward(x);
        var loss = new TopKSpec { AuxKLatents = 2 }.CreateLoss(sae, new TrainerOptions()).Compute(x, forward, sae, sparsityScale: 0.5, context: Dead(true, true, true, false));
        // ‖e‖² per token: 6.625, 0.25, 1.5625 + 1 = 2.5625 → mse = 9.4375 / 3; total = mse + 6.0625/32 (AuxK is not a
        // sparsity penalty: the warm-up scale does not touch it).
        TensorAssert.Close(9.4375 / 3, loss.Terms["mse_loss"]);
        TensorAssert.Close(6.0625, loss.Terms["auxk_loss"]);
        TensorAssert.Close(9.4375 / 3 + 6.0625 / 32, loss.Total);
        Assert.Equal(new[] { "auxk_loss", "mse_loss" }, loss.Terms.Keys.Order(StringComparer.Ordinal));
    }
}
