using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Features;

/// <summary>
/// Per-latent statistics of an SAE's features over a stream of token sequences, in one pass with bounded memory: firing
/// counts, activation sums and maxima, a log-spaced activation histogram, and the top-N activating examples with their
/// context (token ids and the latent's activation on each).
/// </summary>
/// <remarks>
/// <para>
/// The state lives on the features' device as tensors whose size depends only on <c>d_sae</c> and the options, not on the
/// stream: <c>d_sae × TopExamples × ContextLength</c> token ids and activations for the examples, <c>d_sae × HistogramBins</c>
/// counts. At 16,384 latents, 20 examples and 21 context positions that is about 83 MB.
/// </para>
/// <para>
/// Each batch is processed with a handful of tensor operations: the top <c>TopExamples</c> positions of every latent over
/// the batch (one <c>topk</c> along the token axis), their contexts gathered from the batch, then one <c>topk</c> over the
/// kept and the new candidates merges them into the kept set, for all latents at once. The result equals a full sort of
/// every activation of the stream, keeping the first N (ties broken by stream order is not promised).
/// </para>
/// <para>
/// Only positions the mask admits are counted and can be examples (typically real, non-BOS tokens); every non-padding token
/// (token id ≥ 0) can appear in a context, with the latent's activation there.
/// </para>
/// </remarks>
public sealed class FeatureStatistics : IDisposable
{
    private readonly double _histogramMin;
    private readonly FiringStatistics _firing;
    private Tensor? _sums;
    private Tensor? _maxima;
    private Tensor? _histogram;
    private Tensor? _topValues;
    private Tensor? _topSequences;
    private Tensor? _topPositions;
    private Tensor? _topTokens;
    private Tensor? _topActivations;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="dSae">The number of latents.</param>
    /// <param name="options">What to keep; the defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dSae"/> is not positive, or an option is invalid.</exception>
    public FeatureStatistics(int dSae, FeatureStatisticsOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dSae);
        options ??= new FeatureStatisticsOptions();
        options.Validate();
        DSae = dSae;
        Options = options;
        _histogramMin = options.HistogramMinLog10;
        _firing = new FiringStatistics(dSae);
    }

    /// <summary>Gets the number of latents.</summary>
    public int DSae { get; }

    /// <summary>Gets the options.</summary>
    public FeatureStatisticsOptions Options { get; }

    /// <summary>Gets the number of tokens counted so far (admitted by the masks).</summary>
    public long TokenCount => _firing.TokenCount;

    /// <summary>Gets the number of sequences seen so far; the next batch's first sequence has this ordinal.</summary>
    public long SequenceCount { get; private set; }

    /// <summary>Adds a batch of sequences.</summary>
    /// <param name="features">The features <c>[sequences, seq, d_sae]</c>, floating point, ≥ 0 where a latent fires.</param>
    /// <param name="tokens">The token ids <c>[sequences, seq]</c>; negative for padding (never shown in a context).</param>
    /// <param name="mask">
    /// Which positions <c>[sequences, seq]</c> are counted and may be examples (bool or non-zero); every position with a
    /// non-negative token when <see langword="null"/>.
    /// </param>
    /// <exception cref="ArgumentException">The shapes do not fit each other or <see cref="DSae"/>.</exception>
    public void Accumulate(Tensor features, Tensor tokens, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(tokens);
        if (features.dim() != 3 || features.shape[2] != DSae)
        {
            throw new ArgumentException($"Expected features of shape [sequences, seq, {DSae}], got [{string.Join(", ", features.shape)}].", nameof(features));
        }
        if (tokens.dim() != 2 || tokens.shape[0] != features.shape[0] || tokens.shape[1] != features.shape[1])
        {
            throw new ArgumentException(
                $"Expected tokens of shape [{features.shape[0]}, {features.shape[1]}], got [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        }
        if (mask is not null && !mask.shape.SequenceEqual(tokens.shape))
        {
            throw new ArgumentException($"The mask has shape [{string.Join(", ", mask.shape)}]; the tokens [{string.Join(", ", tokens.shape)}].", nameof(mask));
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Device device = features.device;
        EnsureState(device);
        long sequences = features.shape[0];
        long length = features.shape[1];
        long rows = sequences * length;
        Tensor f = features.detach().reshape(rows, DSae).to(ScalarType.Float32);
        Tensor ids = tokens.to(ScalarType.Int64, device).reshape(rows);
        Tensor counted = (mask is null ? ids.ge(0) : mask.to(device).ne(0).reshape(rows)).unsqueeze(1);

        Tensor fired = f.gt(0).logical_and(counted);
        _firing.Update(f, counted.squeeze(1));
        _sums!.add_(f.masked_fill(counted.logical_not(), 0).sum(0, type: ScalarType.Float64));
        Tensor eligible = f.masked_fill(counted.logical_not(), float.NegativeInfinity);
        _maxima!.copy_(maximum(_maxima, eligible.amax(0)));
        AddToHistogram(f, fired);
        MergeTopExamples(f, eligible, ids, sequences, length);

        SequenceCount += sequences;
    }

    /// <summary>Copies the statistics so far to the host.</summary>
    public FeatureStatisticsResult Result()
    {
        using var scope = NewDisposeScope();
        int n = Options.TopExamples;
        int c = Options.ContextLength;
        if (_sums is null)
        {
            return new FeatureStatisticsResult(Options, DSae, 0, new long[DSae], new double[DSae], Enumerable.Repeat(float.NegativeInfinity, DSae).ToArray(),
                new long[DSae * Options.HistogramBins], Enumerable.Repeat(float.NegativeInfinity, DSae * n).ToArray(), new long[DSae * n], new int[DSae * n],
                Enumerable.Repeat(-1, DSae * n * c).ToArray(), new float[DSae * n * c]);
        }
        return new FeatureStatisticsResult(Options, DSae, TokenCount,
            _firing.FiringCounts(), Host<double>(_sums!), Host<float>(_maxima!), Host<long>(_histogram!),
            Host<float>(_topValues!), Host<long>(_topSequences!), Host<long>(_topPositions!).Select(p => (int)p).ToArray(),
            Host<long>(_topTokens!).Select(t => (int)t).ToArray(), Host<float>(_topActivations!));
    }

    /// <summary>Frees the state.</summary>
    public void Dispose()
    {
        foreach (Tensor? t in new[] { _sums, _maxima, _histogram, _topValues, _topSequences, _topPositions, _topTokens, _topActivations })
        {
            t?.Dispose();
        }
        _firing.Dispose();
        _sums = _maxima = _histogram = _topValues = _topSequences = _topPositions = _topTokens = _topActivations = null;
    }

    private static T[] Host<T>(Tensor t) where T : unmanaged => t.cpu().contiguous().data<T>().ToArray();

    // The state is created on the first batch's device, outside any dispose scope.
    private void EnsureState(Device device)
    {
        if (_sums is not null) return;
        int n = Options.TopExamples;
        int c = Options.ContextLength;
        _sums = zeros(DSae, ScalarType.Float64, device).DetachFromDisposeScope();
        _maxima = full(DSae, float.NegativeInfinity, ScalarType.Float32, device).DetachFromDisposeScope();
        _histogram = zeros(DSae, Options.HistogramBins, ScalarType.Int64, device).DetachFromDisposeScope();
        _topValues = full(DSae, n, float.NegativeInfinity, ScalarType.Float32, device).DetachFromDisposeScope();
        _topSequences = full(DSae, n, -1L, ScalarType.Int64, device).DetachFromDisposeScope();
        _topPositions = full(DSae, n, -1L, ScalarType.Int64, device).DetachFromDisposeScope();
        _topTokens = full(DSae, n, c, -1L, ScalarType.Int64, device).DetachFromDisposeScope();
        _topActivations = zeros(DSae, n, c, ScalarType.Float32, device).DetachFromDisposeScope();
    }

    // Bin b holds activations in [10^(min + b / perDecade), 10^(min + (b + 1) / perDecade)); the ends are open.
    private void AddToHistogram(Tensor f, Tensor fired)
    {
        Tensor where = fired.nonzero(); // [nnz, 2]: row, latent
        if (where.shape[0] == 0) return;
        Tensor latents = where.select(1, 1);
        Tensor values = f.index(where.select(1, 0), latents);
        Tensor bins = ((values.log10() - _histogramMin) * Options.HistogramBinsPerDecade).floor().clamp(0, Options.HistogramBins - 1).to(ScalarType.Int64);
        Tensor flat = latents * Options.HistogramBins + bins;
        _histogram!.view(-1).index_add_(0, flat, ones_like(flat), 1);
    }

    private void MergeTopExamples(Tensor f, Tensor eligible, Tensor ids, long sequences, long length)
    {
        int n = Options.TopExamples;
        int c = Options.ContextLength;
        long rows = sequences * length;
        long k = Math.Min(n, rows);
        Device device = f.device;
        (Tensor values, Tensor indices) = eligible.topk((int)k, dim: 0); // [k, d_sae]
        values = values.t(); // [d_sae, k]
        indices = indices.t();
        Tensor sequence = indices.div(length, rounding_mode: RoundingMode.floor);
        Tensor position = indices - sequence * length;

        // Context positions p − before … p + after inside the same sequence; outside it they become padding.
        Tensor offsets = arange(-Options.ContextBefore, Options.ContextAfter + 1, ScalarType.Int64, device); // [c]
        Tensor contextPosition = position.unsqueeze(-1) + offsets; // [d_sae, k, c]
        Tensor inside = contextPosition.ge(0).logical_and(contextPosition.lt(length));
        Tensor contextRow = sequence.unsqueeze(-1) * length + contextPosition.clamp(0, length - 1);
        Tensor contextTokens = ids.index_select(0, contextRow.reshape(-1)).reshape(DSae, k, c).masked_fill(inside.logical_not(), -1);
        Tensor contextActivations = f.t().gather(1, contextRow.reshape(DSae, k * c)).reshape(DSae, k, c);
        contextActivations = contextActivations.masked_fill(contextTokens.lt(0), 0);

        // Merge: the best n of the kept n and the batch's k, for every latent at once.
        Tensor allValues = cat([_topValues!, values], 1);
        (Tensor merged, Tensor pick) = allValues.topk(n, dim: 1);
        Tensor pickContext = pick.unsqueeze(-1).expand(DSae, n, c);
        Tensor allSequences = cat([_topSequences!, sequence + SequenceCount], 1);
        Tensor allPositions = cat([_topPositions!, position], 1);
        Tensor allTokens = cat([_topTokens!, contextTokens], 1);
        Tensor allActivations = cat([_topActivations!, contextActivations], 1);
        _topSequences!.copy_(allSequences.gather(1, pick));
        _topPositions!.copy_(allPositions.gather(1, pick));
        _topTokens!.copy_(allTokens.gather(1, pickContext));
        _topActivations!.copy_(allActivations.gather(1, pickContext));
        _topValues!.copy_(merged);
    }
}
