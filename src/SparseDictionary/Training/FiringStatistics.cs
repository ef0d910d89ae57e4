using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>
/// The one per-latent firing counter (a latent fires on a token when its feature is &gt; 0), used by training (dead
/// latents over a window of tokens, resampling), by the evaluators (firing counts and frequencies) and by feature
/// statistics: per latent, the tokens it fired on, the tokens since it last fired, and whether it fired since the last
/// resampling window started.
/// </summary>
/// <remarks>
/// Everything stays on the features' device (int64 counts, exact at any stream length) and reaches the host only when
/// read, so recording never synchronises with the device. A training checkpoint keeps the recency state
/// (<see cref="TokensSinceFired"/>, <see cref="FiredSinceReset"/>), which is all the trainer reads; the counts of a
/// resumed run start again from its resumption.
/// </remarks>
public sealed class FiringStatistics : IDisposable
{
    private Tensor? _counts;
    private Tensor? _tokensSinceFired;
    private Tensor? _firedSinceReset;

    /// <summary>Creates statistics for <paramref name="dSae"/> latents.</summary>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="device">Where the counters live; <see langword="null"/> for the device of the first recorded batch.</param>
    public FiringStatistics(int dSae, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dSae);
        DSae = dSae;
        if (device is not null) Allocate(device);
    }

    /// <summary>Number of latents.</summary>
    public int DSae { get; }

    /// <summary>Tokens recorded so far (rows of the batches, or the counted rows where a mask was given).</summary>
    public long TokenCount { get; private set; }

    /// <summary>Tokens since each latent last fired <c>[d_sae]</c> (int64; the live tensor, for checkpoints).</summary>
    internal Tensor TokensSinceFired => _tokensSinceFired ?? throw NotStarted();

    /// <summary>Whether each latent fired since the last resampling <c>[d_sae]</c> (bool; the live tensor, for checkpoints).</summary>
    internal Tensor FiredSinceReset => _firedSinceReset ?? throw NotStarted();

    /// <summary>Records a batch of features <c>[tokens, d_sae]</c>.</summary>
    /// <param name="features">The features.</param>
    /// <param name="countedRows">
    /// Which rows count <c>[tokens]</c> (bool; padding, say, does not); <see langword="null"/> counts every row.
    /// </param>
    public void Update(Tensor features, Tensor? countedRows = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.shape[1] != DSae)
        {
            throw new ArgumentException($"Expected features of shape [tokens, {DSae}], got [{string.Join(", ", features.shape)}].", nameof(features));
        }
        if (countedRows is not null && (countedRows.dim() != 1 || countedRows.shape[0] != features.shape[0]))
        {
            throw new ArgumentException($"Expected a row mask of shape [{features.shape[0]}], got [{string.Join(", ", countedRows.shape)}].", nameof(countedRows));
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (_counts is null) Allocate(features.device);
        var fired = features.detach().gt(0);
        if (countedRows is not null) fired = fired.logical_and(countedRows.to(ScalarType.Bool, features.device).unsqueeze(1));
        var perLatent = fired.sum(0, type: ScalarType.Int64).to(_counts!.device);
        long rows = countedRows is null ? features.shape[0] : countedRows.to(ScalarType.Bool).sum().ToInt64();
        _counts.add_(perLatent);
        var firedAny = perLatent.gt(0);
        _tokensSinceFired!.add_(rows).masked_fill_(firedAny, 0);
        _firedSinceReset!.logical_or_(firedAny);
        TokenCount += rows;
    }

    /// <summary>Per latent, the tokens it fired on; a fresh host copy on each read.</summary>
    public long[] FiringCounts()
    {
        if (_counts is null) return new long[DSae];
        using var host = _counts.cpu();
        return host.data<long>().ToArray();
    }

    /// <summary>Fraction of latents that have not fired in the last <paramref name="windowTokens"/> tokens.</summary>
    public double DeadFraction(long windowTokens)
    {
        using var scope = NewDisposeScope();
        return (TokensSinceFired >= windowTokens).to(ScalarType.Float64).mean().ToDouble();
    }

    /// <summary>Mask <c>[d_sae]</c> (bool, a new tensor) of latents that have not fired in the last <paramref name="windowTokens"/> tokens.</summary>
    public Tensor DeadMask(long windowTokens) => TokensSinceFired >= windowTokens;

    /// <summary>Mask <c>[d_sae]</c> of latents that have not fired since <see cref="ResetWindow"/> (a new tensor).</summary>
    public Tensor NotFiredSinceReset() => FiredSinceReset.logical_not();

    /// <summary>Starts a new resampling window.</summary>
    public void ResetWindow() => FiredSinceReset.zero_();

    /// <summary>Marks latents as just fired (after they are resampled, so they are not counted dead at once).</summary>
    public void MarkFresh(Tensor latents) => TokensSinceFired.index_fill_(0, latents, 0);

    /// <inheritdoc />
    public void Dispose()
    {
        _counts?.Dispose();
        _tokensSinceFired?.Dispose();
        _firedSinceReset?.Dispose();
        _counts = _tokensSinceFired = _firedSinceReset = null;
    }

    private void Allocate(Device device)
    {
        _counts = zeros(DSae, dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
        _tokensSinceFired = zeros(DSae, dtype: ScalarType.Int64, device: device).DetachFromDisposeScope();
        _firedSinceReset = zeros(DSae, dtype: ScalarType.Bool, device: device).DetachFromDisposeScope();
    }

    private static InvalidOperationException NotStarted() =>
        new("The firing statistics have no device yet: give one to the constructor or record a batch first.");
}
