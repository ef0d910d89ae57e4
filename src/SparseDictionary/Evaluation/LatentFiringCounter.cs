using static TorchSharp.torch;

namespace SparseDictionary.Evaluation;

/// <summary>
/// Counts, per latent, the tokens on which it fired (<c>f &gt; 0</c>). Shared by the evaluators that need firing
/// frequencies.
/// </summary>
/// <remarks>
/// The counts stay on the features' device as int64 (exact at any stream length) and reach the host only when read,
/// so accumulating never synchronises with the device.
/// </remarks>
internal sealed class LatentFiringCounter : IDisposable
{
    private Tensor? _counts;

    public LatentFiringCounter(int dSae)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dSae);
        DSae = dSae;
    }

    public int DSae { get; }

    /// <summary>Tokens accumulated so far.</summary>
    public long TokenCount { get; private set; }

    /// <summary>Adds the firings in <paramref name="features"/> <c>[tokens, DSae]</c>.</summary>
    public void Accumulate(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2 || features.shape[1] != DSae)
        {
            throw new ArgumentException(
                $"Expected features of shape [tokens, {DSae}], got [{string.Join(", ", features.shape)}].", nameof(features));
        }
        using var scope = NewDisposeScope();
        // Created lazily so the counts live wherever the features do.
        _counts ??= zeros(DSae, ScalarType.Int64, features.device).DetachFromDisposeScope();
        _counts.add_(features.gt(0).sum(dim: 0, type: ScalarType.Int64).to(_counts.device));
        TokenCount += features.shape[0];
    }

    /// <summary>Per-latent firing counts, copied to the host.</summary>
    public long[] Counts()
    {
        if (_counts is null) return new long[DSae];
        using var host = _counts.cpu();
        return host.data<long>().ToArray();
    }

    public void Dispose()
    {
        _counts?.Dispose();
        _counts = null;
    }
}
