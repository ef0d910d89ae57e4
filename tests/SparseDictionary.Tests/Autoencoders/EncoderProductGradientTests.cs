using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>
/// The encoder product <c>(x − b_dec) W + b</c> takes <c>b_dec</c>'s gradient through a zero-valued bias instead of the
/// gradient of <c>x − b_dec</c>: same values, same gradients.
/// </summary>
public class EncoderProductGradientTests
{
    [Fact]
    public void GradientsOfTheSummedPreActivationsMatchHandComputedValues()
    {
        // L = Σ pre over 2 tokens, pre = (x − b_dec) W_enc + b_enc (TinySaes.Standard):
        // ∂L/∂b_dec = −2 · (row sums of W_enc) = −2 · [−2, 3.5] = [4, −7];
        // ∂L/∂W_enc[i, j] = Σ_tokens (x − b_dec)[t, i] = [0, 6] for every j; ∂L/∂b_enc = [2, 2, 2].
        using var scope = NewDisposeScope();
        var sae = TinySaes.Standard();
        sae.Forward(TinySaes.StandardInput()).PreActivations.sum().backward();
        var p = sae.NamedParameters;
        TensorAssert.Close(new double[] { 4, -7 }, p["b_dec"].grad!);
        TensorAssert.Close(new double[,] { { 0, 0, 0 }, { 6, 6, 6 } }, p["W_enc"].grad!);
        TensorAssert.Close(new double[] { 2, 2, 2 }, p["b_enc"].grad!);
        TensorAssert.NullOrZero(p["W_dec"].grad, "W_dec");
    }

    [Fact]
    public void PreActivationsEqualThePlainFormulaBitForBit()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var sae = new StandardSae(16, 64, generator: generator);
        TinySaes.Set(sae, "b_dec", randn(16, generator: generator) * 3);
        TinySaes.Set(sae, "b_enc", randn(64, generator: generator));
        var x = randn(new long[] { 32, 16 }, generator: generator) * 5;
        var plain = addmm(sae.EncoderBias, x - sae.DecoderBias, sae.EncoderWeight, beta: 1, alpha: 1).detach();

        TensorAssert.Identical(plain, sae.Forward(x).PreActivations.detach(), "pre-activations with gradients on");
        using (no_grad()) TensorAssert.Identical(plain, sae.Forward(x).PreActivations, "pre-activations under no_grad");
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("gated")]
    [InlineData("topk")]
    [InlineData("batchtopk")]
    [InlineData("jumprelu")]
    [InlineData("matryoshka_batchtopk")]
    public void EncoderAndDecoderBiasGradientsMatchFiniteDifferences(string architecture)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        const int dIn = 3, dSae = 8;
        ISparseAutoencoder sae = TinySaes.Random(architecture, dIn, dSae, k: 3, generator, ScalarType.Float64);
        if (sae is JumpReluSae) TinySaes.Set(sae, "log_threshold", full(dSae, Math.Log(0.05), dtype: ScalarType.Float64));
        // A non-zero b_dec and an encoder large enough that most latents are active.
        TinySaes.Set(sae, "b_dec", randn(dIn, generator: generator, dtype: ScalarType.Float64));
        TinySaes.Set(sae, "W_enc", randn(new long[] { dIn, dSae }, generator: generator, dtype: ScalarType.Float64));
        var x = randn(new long[] { 6, dIn }, generator: generator, dtype: ScalarType.Float64) * 2;
        // Reconstruction, plus (Gated) the L1 of ReLU(π_gate), a second path from the encoder product to the loss.
        // Not the Gated auxiliary term (it stops b_dec's gradient on purpose) nor JumpReLU's L0 (a pseudo-gradient).
        Tensor Loss()
        {
            var forward = sae.Forward(x);
            var loss = ReconstructionLoss.PerToken(x, forward.Reconstruction).mean();
            return sae is GatedSae ? loss + 0.3 * forward.SparsityActivations.sum(1).mean() : loss;
        }

        Loss().backward();
        foreach (var name in new[] { "b_dec", "W_enc" })
        {
            var parameter = sae.NamedParameters[name];
            var analytic = TensorAssert.Values(parameter.grad!);
            var numeric = FiniteDifferences(parameter, Loss);
            double scale = Math.Max(1, analytic.Max(Math.Abs));
            for (int i = 0; i < analytic.Length; i++)
            {
                Assert.True(Math.Abs(analytic[i] - numeric[i]) <= 1e-6 * scale,
                    $"{architecture} ∂L/∂{name}[{i}]: autograd {analytic[i]:R}, finite differences {numeric[i]:R}.");
            }
        }
    }

    private static double[] FiniteDifferences(Tensor parameter, Func<Tensor> loss)
    {
        const double h = 1e-6;
        using var _ = no_grad();
        // Row-major order, as TensorAssert.Values lists the gradient (W_enc's storage may be transposed).
        long columns = parameter.dim() == 2 ? parameter.shape[1] : 1;
        var result = new double[parameter.numel()];
        for (int i = 0; i < result.Length; i++)
        {
            var element = parameter.dim() == 2 ? parameter[i / columns, i % columns] : parameter[i];
            double original = element.ToDouble();
            element.fill_(original + h);
            double plus = loss().ToDouble();
            element.fill_(original - h);
            double minus = loss().ToDouble();
            element.fill_(original);
            result[i] = (plus - minus) / (2 * h);
        }
        return result;
    }
}
