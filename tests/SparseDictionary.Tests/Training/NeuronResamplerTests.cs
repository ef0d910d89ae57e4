using SparseDictionary.Autoencoders;
using SparseDictionary.Tests.Autoencoders;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

/// <summary>
/// Neuron resampling on a 3 → 4 SAE whose latents 0–2 reconstruct inputs with x ≥ b_dec almost exactly (latent i reads
/// and writes coordinate i) while latent 3 is dead. Of the five candidate inputs only u = (3, −40, 1) has
/// x₁ = −40 &lt; b_dec,₁ = −1, so its loss is ≈ 39² = 1521 (weight ≈ 2.3e6) against ≤ 1e-5 (weight ≤ 1e-10) for the
/// others: the draw picks u with probability 1 − O(1e-16).
/// </summary>
public class NeuronResamplerTests
{
    private const int Dead = 3;

    // Encoder columns: latent i reads coordinate i with norms 2, 1, 4 (alive mean 7/3; the mean over all four columns,
    // with the dead column's norm 4, would be 11/4, and the mean of the encoder's row norms (2 + 1 + √32)/3).
    private static readonly double[,] WEnc = { { 2, 0, 0, 0 }, { 0, 1, 0, 0 }, { 0, 0, 4, -4 } };
    private static readonly double[] BDec = { 0.5, -1, 0.25 };

    private static readonly double[,] Inputs =
    {
        { 1, 0, 1 },
        { 2, 5, 0.5 },
        { 3, -40, 1 },      // u: the one badly reconstructed input
        { 0.5, -1, 0.25 },  // = b_dec: reconstructed exactly
        { 4, 2, 3 },
    };

    // Expected new directions: ‖u‖ = √(9 + 1600 + 1) = √1610.
    private static readonly double[] UnitU = { 3 / Math.Sqrt(1610), -40 / Math.Sqrt(1610), 1 / Math.Sqrt(1610) };

    // Encoder column: û × 0.2 × mean alive encoder norm (2 + 1 + 4)/3.
    private static readonly double EncoderScale = 0.2 * 7.0 / 3.0;

    [Fact]
    public void StandardSaeDeadLatentIsPointedAtTheBadlyReconstructedInput()
    {
        using var generator = new Generator(3);
        using var sae = new StandardSae(3, 4, dtype: ScalarType.Float64, generator: generator);
        using var optimizer = new AdamOptimizer(sae.NamedParameters);
        using var scope = NewDisposeScope();
        TakeStep(sae, optimizer, generator);

        // Latent i < 3: pre = kᵢ(xᵢ − b_dec,ᵢ) + b_enc,ᵢ, decoder 1/kᵢ on coordinate i → x̂ᵢ = xᵢ + b_enc,ᵢ/kᵢ when active.
        // Latent 3: pre = −4(x₂ − 0.25) − 5 < 0 on every candidate (x₂ ≥ 0.25).
        TinySaes.Set(sae, "W_enc", tensor(WEnc));
        TinySaes.Set(sae, "b_enc", tensor(new[] { 0.001, -0.002, 0.003, -5 }));
        TinySaes.Set(sae, "W_dec", tensor(new double[,] { { 0.5, 0, 0 }, { 0, 1, 0 }, { 0, 0, 0.25 }, { 0.6, 0.8, 0 } }));
        TinySaes.Set(sae, "b_dec", tensor(BDec));

        var axes = new Dictionary<string, int?> { ["W_enc"] = 1, ["b_enc"] = 0, ["W_dec"] = 0, ["b_dec"] = null };
        ResampleAndCheck(sae, optimizer, generator, axes);
    }

    [Fact]
    public void GatedSaeDeadLatentIsPointedAtTheBadlyReconstructedInput()
    {
        using var generator = new Generator(3);
        using var sae = new GatedSae(3, 4, dtype: ScalarType.Float64, generator: generator);
        using var optimizer = new AdamOptimizer(sae.NamedParameters);
        using var scope = NewDisposeScope();
        TakeStep(sae, optimizer, generator);

        // Latent i < 3: gate kᵢ(xᵢ − b_dec,ᵢ) + b_gate,ᵢ > 0 whenever xᵢ − b_dec,ᵢ ≥ 0.25 (and ≤ 0 at xᵢ = b_dec,ᵢ);
        // magnitude kᵢ e^{rᵢ}(xᵢ − b_dec,ᵢ) + b_mag,ᵢ, decoder 1/(kᵢ e^{rᵢ}) → x̂ᵢ = xᵢ + O(1e-3).
        // Latent 3: gate −4(x₂ − 0.25) − 5 < 0 on every candidate; its b_mag and r_mag are non-zero to see them reset.
        double[] r = { 0.5, -0.25, 0.1, 0.3 };
        TinySaes.Set(sae, "W_enc", tensor(WEnc));
        TinySaes.Set(sae, "b_gate", tensor(new[] { -0.1, -0.2, -0.05, -5 }));
        TinySaes.Set(sae, "b_mag", tensor(new[] { 0.001, -0.002, 0.003, 0.7 }));
        TinySaes.Set(sae, "r_mag", tensor(r));
        TinySaes.Set(sae, "W_dec", tensor(new double[,]
        {
            { 1 / (2 * Math.Exp(r[0])), 0, 0 },
            { 0, 1 / Math.Exp(r[1]), 0 },
            { 0, 0, 1 / (4 * Math.Exp(r[2])) },
            { 0.6, 0.8, 0 },
        }));
        TinySaes.Set(sae, "b_dec", tensor(BDec));

        var axes = new Dictionary<string, int?> { ["W_enc"] = 1, ["b_gate"] = 0, ["b_mag"] = 0, ["r_mag"] = 0, ["W_dec"] = 0, ["b_dec"] = null };
        ResampleAndCheck(sae, optimizer, generator, axes);
    }

    [Fact]
    public void NothingDeadChangesNothing()
    {
        using var generator = new Generator(3);
        using var sae = new StandardSae(3, 4, dtype: ScalarType.Float64, generator: generator);
        using var optimizer = new AdamOptimizer(sae.NamedParameters);
        using var scope = NewDisposeScope();
        var before = sae.NamedParameters.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var reset = new NeuronResampler(new ResamplingOptions()).Resample(sae, optimizer, zeros(4, dtype: ScalarType.Bool), tensor(Inputs), generator);
        Assert.Equal(0, reset.numel());
        foreach (var (name, p) in sae.NamedParameters) TensorAssert.Identical(before[name], p, name);
    }

    /// <summary>Gives every parameter a non-zero gradient and takes a step, so both Adam moments are non-zero everywhere.</summary>
    private static void TakeStep(ISparseAutoencoder sae, AdamOptimizer optimizer, Generator generator)
    {
        Tensor loss = zeros(1, dtype: ScalarType.Float64);
        foreach (var (_, p) in sae.NamedParameters)
        {
            loss = loss + (p * (rand(p.shape, dtype: ScalarType.Float64, generator: generator) + 0.5)).sum();
        }
        loss.sum().backward();
        optimizer.Step(1e-3);
    }

    private static void ResampleAndCheck(ISparseAutoencoder sae, AdamOptimizer optimizer, Generator generator, Dictionary<string, int?> axes)
    {
        Assert.Equal(axes.Keys.Order(), sae.NamedParameters.Keys.Order());
        var before = sae.NamedParameters.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var moments = axes.Keys.ToDictionary(n => n, n => (M: optimizer.Moments(n).ExpAvg.clone(), V: optimizer.Moments(n).ExpAvgSq.clone()));
        foreach (var (name, (m, v)) in moments)
        {
            Assert.True((m != 0).all().ToBoolean() && (v != 0).all().ToBoolean(), $"{name}: moments should start non-zero");
        }
        var dead = tensor(new[] { false, false, false, true });

        var reset = new NeuronResampler(new ResamplingOptions(EncoderNormScale: 0.2))
            .Resample(sae, optimizer, dead, tensor(Inputs), generator);

        Assert.Equal(new long[] { Dead }, reset.data<long>().ToArray());
        var p = sae.NamedParameters;
        TensorAssert.Close(UnitU, p["W_dec"].select(0, Dead), 1e-12);
        TensorAssert.Close(UnitU.Select(c => c * EncoderScale).ToArray(), p["W_enc"].select(1, Dead), 1e-12);
        var alive = tensor(new long[] { 0, 1, 2 });
        foreach (var (name, axis) in axes)
        {
            var (m, v) = optimizer.Moments(name);
            if (axis is not int a)
            {
                // Not indexed by latent (b_dec): parameter and moments untouched.
                TensorAssert.Identical(before[name], p[name], name);
                TensorAssert.Identical(moments[name].M, m, $"{name} first moment");
                TensorAssert.Identical(moments[name].V, v, $"{name} second moment");
                continue;
            }
            // Other latents: parameters and moments untouched.
            TensorAssert.Identical(before[name].index_select(a, alive), p[name].index_select(a, alive), name);
            TensorAssert.Identical(moments[name].M.index_select(a, alive), m.index_select(a, alive), $"{name} first moment");
            TensorAssert.Identical(moments[name].V.index_select(a, alive), v.index_select(a, alive), $"{name} second moment");
            // The resampled latent: both moments zero; per-latent biases and scales 0.
            Assert.True((m.select(a, Dead) == 0).all().ToBoolean(), $"{name}: first moment of the resampled latent not zeroed");
            Assert.True((v.select(a, Dead) == 0).all().ToBoolean(), $"{name}: second moment of the resampled latent not zeroed");
            if (p[name].dim() == 1) Assert.Equal(0.0, p[name][Dead].ToDouble());
        }
    }
}
