using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>
/// Per-latent firing bookkeeping during training: tokens since each latent last fired (for the dead fraction over a
/// window of tokens) and whether it fired since the last resampling.
/// </summary>
public sealed class FiringStatistics : IDisposable
{
    private readonly Tensor _tokensSinceFired;
    private readonly Tensor _firedSinceReset;

    /// <summary>Creates statistics for <paramref name="dSae"/> latents on <paramref name="device"/>.</summary>
    public FiringStatistics(int dSae, Device device)
    {
        _tokensSinceFired = zeros(dSae, dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
        _firedSinceReset = zeros(dSae, dtype: ScalarType.Bool, device: device).DetachFromDisposeScope();
    }

    /// <summary>Tokens since each latent last fired <c>[d_sae]</c> (int64; the live tensor, for checkpoints).</summary>
    internal Tensor TokensSinceFired => _tokensSinceFired;

    /// <summary>Whether each latent fired since the last resampling <c>[d_sae]</c> (bool; the live tensor, for checkpoints).</summary>
    internal Tensor FiredSinceReset => _firedSinceReset;

    /// <summary>Records a batch of features <c>[tokens, d_sae]</c>.</summary>
    public void Update(Tensor features)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var fired = (features > 0).any(0);
        _tokensSinceFired.add_(features.shape[0]).masked_fill_(fired, 0);
        _firedSinceReset.logical_or_(fired);
    }

    /// <summary>Fraction of latents that have not fired in the last <paramref name="windowTokens"/> tokens.</summary>
    public double DeadFraction(long windowTokens)
    {
        using var scope = NewDisposeScope();
        return (_tokensSinceFired >= windowTokens).to(ScalarType.Float64).mean().ToDouble();
    }

    /// <summary>Mask <c>[d_sae]</c> (bool, a new tensor) of latents that have not fired in the last <paramref name="windowTokens"/> tokens.</summary>
    public Tensor DeadMask(long windowTokens) => _tokensSinceFired >= windowTokens;

    /// <summary>Mask <c>[d_sae]</c> of latents that have not fired since <see cref="ResetWindow"/> (a new tensor).</summary>
    public Tensor NotFiredSinceReset() => _firedSinceReset.logical_not();

    /// <summary>Starts a new resampling window.</summary>
    public void ResetWindow() => _firedSinceReset.zero_();

    /// <summary>Marks latents as just fired (after they are resampled, so they are not counted dead at once).</summary>
    public void MarkFresh(Tensor latents) => _tokensSinceFired.index_fill_(0, latents, 0);

    /// <inheritdoc />
    public void Dispose()
    {
        _tokensSinceFired.Dispose();
        _firedSinceReset.Dispose();
    }
}
