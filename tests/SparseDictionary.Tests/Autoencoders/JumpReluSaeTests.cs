using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>
/// The JumpReLU SAE's forward pass and the straight-through estimators of its threshold, against hand-computed values
/// (see <see cref="TinySparseSaes.JumpRelu"/>).
/// </summary>
public class JumpReluSaeTests
{
    // pre = [[1.5, 0.1, 0.2], [2, −4.9, 2.7]] against θ = (0.5, 1, 2):
    //   token 0: 1.5 > 0.5 fires; 0.1 ≤ 1 and 0.2 ≤ 2 do not (though both are positive, so a ReLU SAE would fire)
    //   token 1: 2 > 0.5 and 2.7 > 2 fire; −4.9 does not
    private static readonly double[,] ExpectedFeatures = { { 1.5, 0, 0 }, { 2, 0, 2.7 } };

    // x̂ = f W_dec + b_dec, rows (1, 0), (0, 1), (1, −1), b_dec = (0.5, 0.5):
    //   token 0: (1.5, 0) → (2, 0.5);   token 1: (2, 0) + (2.7, −2.7) = (4.7, −2.7) → (5.2, −2.2)
    private static readonly double[,] ExpectedReconstruction = { { 2, 0.5 }, { 5.2, -2.2 } };

    [Fact]
    public void ForwardMatchesHandComputedValues()
    {
        using var sae = TinySparseSaes.JumpRelu();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.JumpReluInput();
        var forward = sae.Forward(x);

        TensorAssert.Close(new double[,] { { 1.5, 0.1, 0.2 }, { 2, -4.9, 2.7 } }, forward.PreActivations);
        TensorAssert.Close(ExpectedFeatures, forward.Features);
        TensorAssert.Close(ExpectedReconstruction, forward.Reconstruction);
        TensorAssert.Close(new[] { 0.5, 1, 2 }, sae.Threshold());
        using (no_grad()) TensorAssert.Close(ExpectedFeatures, sae.Encode(x));
        TensorAssert.Close(ExpectedReconstruction, sae.forward(x));
        Assert.Equal("jumprelu", sae.Architecture);
    }

    [Fact]
    public void TheJumpIsStrict()
    {
        using var scope = NewDisposeScope();
        var z = tensor(new double[,] { { 0.5, 0.5000001, -1 } });
        var theta = tensor(new double[] { 0.5, 0.5, -2 });
        // z = θ does not fire; just above does; a negative threshold still gives ReLU(z) (SAELens's inference form).
        TensorAssert.Close(new double[,] { { 0, 0.5000001, 0 } }, JumpRelu.Inference(z, theta));
        TensorAssert.Close(new double[,] { { 0, 0.5000001, 0 } }, JumpRelu.Activation(z, theta, 0.001));
        TensorAssert.Close(new[] { 0.0, 1, 1, 1, 0 }, JumpRelu.Rectangle(tensor(new[] { -0.5, -0.49, 0, 0.49, 0.5 })));
    }

    // z = [[0.52, 0.97, 1.2], [0.3, 1.04, 1.06]], θ = (0.5, 1, 1), ε = 0.1, so (z − θ)/ε =
    // [[0.2, −0.3, 2], [−2, 0.4, 0.6]]: inside the kernel window |u| < ½ are (0,0), (0,1), (1,1).
    // The upstream gradient is w = [[1, 2, 3], [4, 5, 6]] (the loss is Σ w ⊙ out).
    private static (Tensor Z, Tensor Theta, Tensor W) GradientCase()
    {
        var z = tensor(new double[,] { { 0.52, 0.97, 1.2 }, { 0.3, 1.04, 1.06 } }).requires_grad_();
        var theta = tensor(new double[] { 0.5, 1, 1 }).requires_grad_();
        var w = tensor(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        return (z, theta, w);
    }

    [Fact]
    public void JumpReluPseudoGradientsMatchThePaper()
    {
        using var scope = NewDisposeScope();
        var (z, theta, w) = GradientCase();
        var output = JumpRelu.Activation(z, theta, 0.1);
        // Value: z where z > θ: 0.52 > 0.5, 1.2 > 1, 1.04 > 1, 1.06 > 1.
        TensorAssert.Close(new double[,] { { 0.52, 0, 1.2 }, { 0, 1.04, 1.06 } }, output);

        (output * w).sum().backward();
        // ∂/∂z = w ⊙ 1[z > θ] (the exact gradient, no estimator).
        TensorAssert.Close(new double[,] { { 1, 0, 3 }, { 0, 5, 6 } }, z.grad!);
        // ∂/∂θᵢ = Σₜ wₜᵢ · (−θᵢ/ε) K((zₜᵢ − θᵢ)/ε):
        //   θ₀: only (0,0) in the window: 1 · (−0.5/0.1) = −5
        //   θ₁: (0,1) and (1,1): (2 + 5) · (−1/0.1) = −70
        //   θ₂: (0,2) at u = 2 and (1,2) at u = 0.6 are outside: 0
        TensorAssert.Close(new[] { -5.0, -70, 0 }, theta.grad!, 1e-9);
    }

    [Fact]
    public void StepPseudoGradientsMatchThePaper()
    {
        using var scope = NewDisposeScope();
        var (z, theta, w) = GradientCase();
        var output = JumpRelu.Step(z, theta, 0.1);
        TensorAssert.Close(new double[,] { { 1, 0, 1 }, { 0, 1, 1 } }, output);

        (output * w).sum().backward();
        // No gradient to z; ∂/∂θᵢ = Σₜ wₜᵢ · (−1/ε) K(·): θ₀: −10; θ₁: (2 + 5)·(−10) = −70; θ₂: 0.
        TensorAssert.NullOrZero(z.grad, "z");
        TensorAssert.Close(new[] { -10.0, -70, 0 }, theta.grad!, 1e-9);
    }

    [Fact]
    public void L0LossValueAndGradientThroughTheLogThreshold()
    {
        // With ε = 4 the window is |z − θ| < 2: token 0 (1.0, −0.9, −1.8) all inside, token 1 (1.5, −5.9, 0.7) latents 0, 2.
        using var sae = TinySparseSaes.JumpRelu(bandwidth: 4);
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.JumpReluInput();
        var loss = new JumpReluL0Loss(sae).Compute(x, sae.Forward(x), sae);
        // Active latents per token: 1 and 2, mean 1.5.
        TensorAssert.Close(1.5, loss);

        loss.backward();
        // ∂/∂θᵢ = (1/B) Σₜ (−1/ε) K: θ₀: −(1/2)(1/4)·2 = −0.25; θ₁: −0.125; θ₂: −0.25.
        // θ = exp(log θ), so ∂/∂log θᵢ = θᵢ · ∂/∂θᵢ = (−0.125, −0.125, −0.5).
        TensorAssert.Close(new[] { -0.125, -0.125, -0.5 }, sae.LogThreshold.grad!);
        // The step sends nothing to the encoder (the paper's pseudo-derivative is with respect to θ only).
        TensorAssert.NullOrZero(sae.EncoderWeight.grad, "W_enc");
        TensorAssert.NullOrZero(sae.EncoderBias.grad, "b_enc");
    }

    [Fact]
    public void ReconstructionGradientReachesTheThresholdThroughTheEstimator()
    {
        using var sae = TinySparseSaes.JumpRelu(bandwidth: 4);
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.JumpReluInput();
        new ReconstructionLoss().Compute(x, sae.Forward(x), sae).backward();
        // r = x̂ − x: token 0 (2 − 1.5, 0.5 − 1) = (0.5, −0.5); token 1 (5.2 − 3.5, −2.2 + 0.5) = (1.7, −1.7).
        // ∂L/∂fₜᵢ = (2/B) rₜ·W_dec,ᵢ = rₜ·W_dec,ᵢ: token 0 (0.5, −0.5, 1.0), token 1 (1.7, −1.7, 3.4).
        // ∂L/∂θᵢ = Σₜ ∂L/∂fₜᵢ · (−θᵢ/ε) K, window as in the L0 test:
        //   θ₀ = 0.5: (0.5 + 1.7)·(−0.125) = −0.275;  θ₁ = 1: (−0.5)·(−0.25) = 0.125;  θ₂ = 2: (1.0 + 3.4)·(−0.5) = −2.2
        // ∂L/∂log θᵢ = θᵢ ∂L/∂θᵢ = (−0.1375, 0.125, −4.4).
        TensorAssert.Close(new[] { -0.1375, 0.125, -4.4 }, sae.LogThreshold.grad!, 1e-9);
        // ∂L/∂b_enc = Σₜ ∂L/∂fₜᵢ · 1[zₜᵢ > θᵢ]: latent 0: 0.5 + 1.7 = 2.2; latent 1: 0; latent 2: 3.4.
        TensorAssert.Close(new[] { 2.2, 0, 3.4 }, sae.EncoderBias.grad!, 1e-9);
    }

    [Fact]
    public void DefaultsFollowThePaperInTheTrainersUnits_AndResetLatentsRestoresTheInitialThreshold()
    {
        using var generator = new Generator(3);
        using var sae = new JumpReluSae(64, 8, generator: generator);
        // 0.001 in the paper's units (unit mean squared norm) is 0.001·√d_in at mean norm √d_in.
        Assert.Equal(0.008, sae.Bandwidth, 12);
        Assert.Equal(0.008, sae.InitialThreshold, 12);
        Assert.True(sae.EncoderWeight.allclose(sae.DecoderWeight.t() * 0.1));
        using var scope = NewDisposeScope();
        TensorAssert.Close(Enumerable.Repeat(0.008, 8).ToArray(), sae.Threshold(), 1e-7);

        TinySaes.Set(sae, "log_threshold", full(8, 1.0));
        sae.ResetLatents(tensor(new long[] { 2, 5 }), ones(2, 64), ones(2, 64));
        var threshold = TensorAssert.Values(sae.Threshold());
        Assert.Equal(0.008, threshold[2], 6);
        Assert.Equal(0.008, threshold[5], 6);
        Assert.Equal(Math.E, threshold[0], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => new JumpReluSae(4, 4, bandwidth: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JumpReluSae(4, 4, initialThreshold: -1));
    }
}
