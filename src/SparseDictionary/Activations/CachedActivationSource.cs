using static TorchSharp.torch;

namespace SparseDictionary.Activations;

/// <summary>
/// Streams the tokens of an on-disk activation cache in order, one memory-mapped shard at a time. Batches may span shards
/// (and, when cycling, the end and the start of the cache); each is a fresh tensor the caller owns.
/// </summary>
/// <remarks>
/// At most one shard is mapped at a time, and only the pages of the rows read are touched, so memory stays bounded by
/// the batches whatever the cache size. <see cref="Position"/> counts tokens delivered, including
/// <see cref="CachedActivationSourceOptions.StartPosition"/>, so a run that saves it can resume where it stopped.
/// </remarks>
public sealed class CachedActivationSource : IResumableActivationSource
{
    private readonly ActivationCacheReader _cache;
    private readonly CachedActivationSourceOptions _options;
    private Tensor? _mapped;
    private bool _disposed;

    /// <summary>Creates a source over an opened cache.</summary>
    /// <param name="cache">The cache, as <see cref="ActivationCacheReader.Open"/> validated it.</param>
    /// <param name="options">Start position, cycling and output dtype; the defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The start position lies past the end of a cache that is not cycled, or another option is invalid.
    /// </exception>
    public CachedActivationSource(ActivationCacheReader cache, CachedActivationSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cache);
        options ??= new CachedActivationSourceOptions();
        options.Validate();
        if (!options.Cycle && options.StartPosition > cache.TotalTokens)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StartPosition,
                $"StartPosition is past the end of the cache, which holds {cache.TotalTokens} tokens.");
        }
        _cache = cache;
        _options = options;
        Position = options.StartPosition;
    }

    /// <summary>Gets the cache read.</summary>
    public ActivationCacheReader Cache => _cache;

    /// <inheritdoc />
    public int DIn => _cache.DIn;

    /// <inheritdoc />
    public long Position { get; private set; }

    /// <summary>Gets the index of the shard currently memory-mapped, or <see langword="null"/> when none is.</summary>
    public int? MappedShardIndex { get; private set; }

    /// <inheritdoc />
    public Tensor? NextBatch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        long total = _cache.TotalTokens;
        if (total == 0 || (!_options.Cycle && Position >= total))
        {
            return null;
        }

        long take = _options.Cycle ? batchSize : Math.Min(batchSize, total - Position);
        // Created before the inner scope, so in the caller's.
        Tensor batch = empty([take, DIn], _options.OutputDType ?? _cache.DType, CPU);
        using (NewDisposeScope())
        {
            long token = Position % total;
            long filled = 0;
            while (filled < take)
            {
                int shard = _cache.ShardOf(token);
                long within = token - _cache.ShardStart(shard);
                long count = Math.Min(take - filled, _cache.ShardStart(shard + 1) - token);
                // copy_ converts the stored dtype to the output dtype as it copies.
                batch.narrow(0, filled, count).copy_(Map(shard).narrow(0, within, count));
                filled += count;
                token = (token + count) % total;
            }
        }
        Position += take;
        return batch;
    }

    /// <summary>The kind recorded in this source's <see cref="ActivationSourceState"/>.</summary>
    public const string StateKind = "activation-cache";

    /// <inheritdoc />
    public ActivationSourceState SaveState()
    {
        var state = new ActivationSourceState(StateKind);
        state.Values["position"] = Position;
        state.Values["total_tokens"] = _cache.TotalTokens;
        return state;
    }

    /// <inheritdoc />
    public void RestoreState(ActivationSourceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);
        state.ExpectKind(StateKind);
        long total = state.Value("total_tokens");
        long position = state.Value("position");
        if (total != _cache.TotalTokens)
        {
            throw new ArgumentException($"The saved state is of a cache of {total} tokens; '{_cache.Directory}' holds {_cache.TotalTokens}.", nameof(state));
        }
        if (position < 0 || (!_options.Cycle && position > total))
        {
            throw new ArgumentException($"The saved position {position} does not fit a cache of {total} tokens.", nameof(state));
        }
        Position = position;
    }

    /// <summary>Unmaps the current shard.</summary>
    public void Dispose()
    {
        _disposed = true;
        Unmap();
    }

    private Tensor Map(int shard)
    {
        if (MappedShardIndex != shard)
        {
            Unmap();
            _mapped = _cache.MapShard(shard).DetachFromDisposeScope();
            MappedShardIndex = shard;
        }
        return _mapped!;
    }

    private void Unmap()
    {
        _mapped?.Dispose();
        _mapped = null;
        MappedShardIndex = null;
    }
}
