using SparseDictionary.Autoencoders;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Evaluation;

/// <summary>
/// How sparse the features are, and how evenly the latents share the work, over the whole evaluated stream.
/// </summary>
/// <remarks>
/// With <c>n</c> the number of tokens, <c>f</c> the features <c>[n, d_sae]</c> and <c>c_i</c> the number of tokens on
/// which latent <c>i</c> fired (<c>f_i &gt; 0</c>):
/// <list type="bullet">
/// <item><c>sparsity/l0</c> = <c>(1/n) Σ_tokens #{i : f_i &gt; 0}</c> = <c>Σ_i c_i / n</c>;</item>
/// <item><c>sparsity/l1</c> = <c>(1/n) Σ_tokens Σ_i |f_i|</c>;</item>
/// <item><c>sparsity/dead_fraction</c> = <c>#{i : c_i = 0} / d_sae</c>, latents that never fired on the stream;</item>
/// <item><c>sparsity/dense_fraction</c> = <c>#{i : c_i / n &gt; threshold} / d_sae</c>; a latent firing on exactly the
/// threshold fraction is not dense.</item>
/// </list>
/// Before any token every value is <see cref="double.NaN"/>.
/// </remarks>
public sealed class SparsityMetrics : IMetricEvaluator, IDisposable
{
    private readonly FiringStatistics _firing;
    private Tensor? _l1Sum; // float64 scalar on the features' device

    /// <summary>Creates an evaluator for an SAE with <paramref name="dSae"/> latents.</summary>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="denseThreshold">Firing frequency above which a latent counts as dense (default 0.1, i.e. 10% of tokens).</param>
    public SparsityMetrics(int dSae, double denseThreshold = 0.1)
    {
        if (!(denseThreshold >= 0 && denseThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(denseThreshold), denseThreshold, "The dense threshold must lie in [0, 1].");
        }
        _firing = new FiringStatistics(dSae);
        DenseThreshold = denseThreshold;
    }

    /// <summary>Number of latents.</summary>
    public int DSae => _firing.DSae;

    /// <summary>Firing frequency above which a latent counts as dense.</summary>
    public double DenseThreshold { get; }

    /// <summary>Tokens accumulated so far.</summary>
    public long TokenCount => _firing.TokenCount;

    /// <summary>Per latent, the number of tokens on which it fired (<c>f &gt; 0</c>); a fresh host copy on each read.</summary>
    public long[] FiringCounts => _firing.FiringCounts();

    /// <inheritdoc />
    public void Accumulate(Tensor x, SaeForward forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var features = forward.Features;
        _firing.Update(features);
        using var scope = NewDisposeScope();
        _l1Sum ??= zeros(Array.Empty<long>(), ScalarType.Float64, features.device).DetachFromDisposeScope();
        _l1Sum.add_(features.abs().sum(type: ScalarType.Float64).to(_l1Sum.device));
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Report()
    {
        long n = TokenCount;
        long[] counts = FiringCounts;
        double l1 = _l1Sum is null ? 0 : _l1Sum.item<double>();
        return new Dictionary<string, double>
        {
            [MetricNames.L0] = n == 0 ? double.NaN : (double)counts.Sum() / n,
            [MetricNames.L1] = n == 0 ? double.NaN : l1 / n,
            [MetricNames.DeadFraction] = n == 0 ? double.NaN : (double)counts.Count(c => c == 0) / DSae,
            // Frequencies by division: an exact 10% gives the same double as 0.1, so it is never counted as dense.
            [MetricNames.DenseFraction] = n == 0 ? double.NaN : (double)counts.Count(c => (double)c / n > DenseThreshold) / DSae,
        };
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        _firing.Dispose();
        _l1Sum?.Dispose();
        _l1Sum = null;
    }
}
