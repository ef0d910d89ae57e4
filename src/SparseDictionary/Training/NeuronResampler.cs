using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>How and when dead latents are resampled.</summary>
/// <param name="IntervalSteps">Resample every this many steps; latents that did not fire since the previous resampling are dead.</param>
/// <param name="SampleTokens">Inputs drawn from the training stream to choose new directions from.</param>
/// <param name="EncoderNormScale">New encoder columns get this fraction of the mean alive encoder norm (Anthropic: 0.2).</param>
/// <param name="RewarmSteps">After resampling, the learning rate ramps linearly back up over this many steps.</param>
/// <param name="MaxResamples">Stop resampling after this many rounds (<see langword="null"/>: no limit).</param>
public sealed record ResamplingOptions(
    int IntervalSteps = 25_000,
    int SampleTokens = 32_768,
    double EncoderNormScale = 0.2,
    int RewarmSteps = 1_000,
    int? MaxResamples = null)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (IntervalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(IntervalSteps), IntervalSteps, "Resampling IntervalSteps must be positive.");
        if (SampleTokens <= 0) throw new ArgumentOutOfRangeException(nameof(SampleTokens), SampleTokens, "Resampling SampleTokens must be positive.");
        if (!(EncoderNormScale > 0) || !double.IsFinite(EncoderNormScale))
        {
            throw new ArgumentOutOfRangeException(nameof(EncoderNormScale), EncoderNormScale, "Resampling EncoderNormScale must be positive.");
        }
        if (RewarmSteps < 0) throw new ArgumentOutOfRangeException(nameof(RewarmSteps), RewarmSteps, "Resampling RewarmSteps must be ≥ 0.");
        if (MaxResamples < 0) throw new ArgumentOutOfRangeException(nameof(MaxResamples), MaxResamples, "Resampling MaxResamples must be ≥ 0.");
    }
}

/// <summary>
/// Neuron resampling (Bricken et al. 2023, "Towards Monosemanticity"): each dead latent is pointed at an input the SAE
/// reconstructs badly. Inputs are drawn without replacement with probability ∝ (per-input loss)²; the decoder row
/// becomes the unit-normalised input, the encoder column the input scaled to
/// <see cref="ResamplingOptions.EncoderNormScale"/> × the mean alive encoder norm, per-latent biases and scales 0, and
/// the Adam moments of exactly those rows and columns are zeroed.
/// </summary>
public sealed class NeuronResampler(ResamplingOptions options)
{
    /// <summary>The options in use.</summary>
    public ResamplingOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>Resamples the latents flagged in <paramref name="dead"/>; returns the indices resampled (possibly empty).</summary>
    /// <param name="sae">The SAE, modified in place.</param>
    /// <param name="optimizer">Its optimizer, whose moments for the touched latents are zeroed.</param>
    /// <param name="dead">Mask <c>[d_sae]</c> of dead latents.</param>
    /// <param name="inputs">Candidate inputs <c>[n, d_in]</c> in the units the SAE is trained on.</param>
    /// <param name="generator">Random generator for the draw.</param>
    /// <remarks>When more latents are dead than inputs were sampled, only the first <c>n</c> dead latents are resampled.</remarks>
    public Tensor Resample(ISparseAutoencoder sae, AdamOptimizer optimizer, Tensor dead, Tensor inputs, Generator generator)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var deadIndices = dead.nonzero().flatten();
        long count = Math.Min(deadIndices.shape[0], inputs.shape[0]);
        if (count == 0) return deadIndices.narrow(0, 0, 0).MoveToOuterDisposeScope();
        deadIndices = deadIndices.narrow(0, 0, count);

        var x = inputs.to(sae.DType, sae.Device);
        var loss = ReconstructionLoss.PerToken(x, sae.Forward(x).Reconstruction).to(ScalarType.Float64);
        var weights = loss.square();
        // A perfect reconstruction everywhere leaves no preference: fall back to uniform.
        if (!(weights.sum().ToDouble() > 0) || !weights.isfinite().all().item<bool>()) weights = ones_like(weights);
        var chosen = x.index_select(0, multinomial(weights.cpu(), count, replacement: false, generator: generator).to(x.device));

        var directions = chosen / chosen.norm(1, keepdim: true).clamp_min(1e-12);
        var alive = dead.logical_not();
        var encoderNorms = sae.EncoderNorms();
        double aliveNorm = alive.any().item<bool>() ? encoderNorms[alive].mean().ToDouble() : 1.0;
        sae.ResetLatents(deadIndices, directions, directions * (aliveNorm * Options.EncoderNormScale));

        foreach (var name in sae.NamedParameters.Keys)
        {
            if (sae.LatentAxis(name) is int axis) optimizer.ResetMoments(name, deadIndices, axis);
        }
        return deadIndices.MoveToOuterDisposeScope();
    }
}
