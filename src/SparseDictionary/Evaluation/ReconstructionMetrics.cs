using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Evaluation;

/// <summary>
/// How faithfully the SAE reconstructs its input, over the whole evaluated stream.
/// </summary>
/// <remarks>
/// With <c>n</c> tokens of width <c>d</c>, inputs <c>x</c>, reconstructions <c>x̂</c> and <c>x̄</c> the mean input
/// vector over the whole stream (not per batch):
/// <list type="bullet">
/// <item><c>reconstruction_quality/mse</c> = <c>Σ_tokens ‖x − x̂‖² / (n·d)</c>, the mean over every element;</item>
/// <item><c>reconstruction_quality/fvu</c> = <c>Σ_tokens ‖x − x̂‖² / Σ_tokens ‖x − x̄‖²</c>, the fraction of variance
/// unexplained (normalised MSE);</item>
/// <item><c>reconstruction_quality/explained_variance</c> = <c>1 − fvu</c>;</item>
/// <item><c>reconstruction_quality/cossim</c> = <c>(1/n) Σ_tokens x·x̂ / (max(‖x‖, ε)·max(‖x̂‖, ε))</c> with
/// <c>ε = 1e-8</c> (PyTorch's <c>cosine_similarity</c> default), so a zero vector contributes 0, not NaN;</item>
/// <item><c>shrinkage/l2_norm_in</c> = <c>(1/n) Σ ‖x‖</c>; <c>shrinkage/l2_norm_out</c> = <c>(1/n) Σ ‖x̂‖</c>;</item>
/// <item><c>shrinkage/l2_ratio</c> = <c>(1/n) Σ ‖x̂‖ / ‖x‖</c>, dividing by 1 instead where <c>‖x‖ &lt; 1e-4</c> (as
/// SAELens does);</item>
/// <item><c>shrinkage/relative_reconstruction_bias</c> = <c>Σ ‖x̂‖² / Σ x·x̂</c>, the γ of Wright &amp; Sharkey (2024):
/// 1 when the reconstruction has no systematic shrinkage, below 1 when it is shrunk.</item>
/// </list>
/// All sums are accumulated in float64 on the batches' device. The total variance is computed in one pass as
/// <c>Σ‖x − x̄‖² = Σ‖x‖² − n‖x̄‖² = Σ‖x‖² − ‖Σx‖²/n</c>. Before any token every value is <see cref="double.NaN"/>.
/// </remarks>
public sealed class ReconstructionMetrics : IMetricEvaluator, IDisposable
{
    private const double CosineEpsilon = 1e-8;
    private const double SmallNorm = 1e-4;

    // Positions in _sums, one float64 running sum each.
    private const int SquaredError = 0;
    private const int SquaredNormIn = 1;
    private const int Cosine = 2;
    private const int NormIn = 3;
    private const int NormOut = 4;
    private const int NormRatio = 5;
    private const int SquaredNormOut = 6;
    private const int Dot = 7;

    private Tensor? _sums;   // [8] float64
    private Tensor? _sumX;   // [d_in] float64, for the stream's mean vector
    private long _tokens;

    /// <summary>Tokens accumulated so far.</summary>
    public long TokenCount => _tokens;

    /// <inheritdoc />
    public void Accumulate(Tensor x, SaeForward forward)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(forward);
        var reconstruction = forward.Reconstruction;
        if (x.dim() != 2 || !x.shape.SequenceEqual(reconstruction.shape))
        {
            throw new ArgumentException(
                $"Expected inputs and reconstructions of the same shape [tokens, d_in], got [{string.Join(", ", x.shape)}] and [{string.Join(", ", reconstruction.shape)}].",
                nameof(x));
        }
        if (_sumX is not null && _sumX.shape[0] != x.shape[1])
        {
            throw new ArgumentException($"Expected d_in = {_sumX.shape[0]} as in earlier batches, got {x.shape[1]}.", nameof(x));
        }

        using var scope = NewDisposeScope();
        var input = x.to_type(ScalarType.Float64);
        var output = reconstruction.to(ScalarType.Float64, x.device);
        var normIn = input.square().sum(dim: 1).sqrt();
        var normOut = output.square().sum(dim: 1).sqrt();
        var dot = (input * output).sum(dim: 1);
        var cosine = dot / (normIn.clamp_min(CosineEpsilon) * normOut.clamp_min(CosineEpsilon));
        var ratio = normOut / where(normIn < SmallNorm, ones_like(normIn), normIn);

        var sums = stack(new[]
        {
            (input - output).square().sum(),
            normIn.square().sum(),
            cosine.sum(),
            normIn.sum(),
            normOut.sum(),
            ratio.sum(),
            normOut.square().sum(),
            dot.sum(),
        });
        // Created lazily so the sums live wherever the batches do.
        _sums ??= zeros_like(sums).DetachFromDisposeScope();
        _sumX ??= zeros(x.shape[1], ScalarType.Float64, x.device).DetachFromDisposeScope();
        _sums.add_(sums.to(_sums.device));
        // dim: is named because a bare constant 0 would bind to sum(ScalarType) (0 converts to any enum).
        _sumX.add_(input.sum(dim: 0).to(_sumX.device));
        _tokens += x.shape[0];
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Report()
    {
        if (_sums is null || _sumX is null)
        {
            return new Dictionary<string, double>
            {
                [MetricNames.Mse] = double.NaN,
                [MetricNames.Fvu] = double.NaN,
                [MetricNames.ExplainedVariance] = double.NaN,
                [MetricNames.CosineSimilarity] = double.NaN,
                [MetricNames.L2NormIn] = double.NaN,
                [MetricNames.L2NormOut] = double.NaN,
                [MetricNames.L2Ratio] = double.NaN,
                [MetricNames.RelativeReconstructionBias] = double.NaN,
            };
        }

        double[] s;
        double sumXSquaredNorm;
        using (var scope = NewDisposeScope())
        {
            s = _sums.cpu().data<double>().ToArray();
            sumXSquaredNorm = _sumX.square().sum().item<double>();
        }
        double n = _tokens;
        double dIn = _sumX.shape[0];
        double totalVariance = s[SquaredNormIn] - sumXSquaredNorm / n;
        double fvu = s[SquaredError] / totalVariance;
        return new Dictionary<string, double>
        {
            [MetricNames.Mse] = s[SquaredError] / (n * dIn),
            [MetricNames.Fvu] = fvu,
            [MetricNames.ExplainedVariance] = 1 - fvu,
            [MetricNames.CosineSimilarity] = s[Cosine] / n,
            [MetricNames.L2NormIn] = s[NormIn] / n,
            [MetricNames.L2NormOut] = s[NormOut] / n,
            [MetricNames.L2Ratio] = s[NormRatio] / n,
            [MetricNames.RelativeReconstructionBias] = s[SquaredNormOut] / s[Dot],
        };
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        _sums?.Dispose();
        _sumX?.Dispose();
        _sums = null;
        _sumX = null;
    }
}
