using static TorchSharp.torch;

namespace SparseDictionary.Activations;

/// <summary>
/// Serves batches from a tensor held in memory, optionally shuffled (a fresh permutation every epoch, from a seeded
/// generator) and optionally cycling forever.
/// </summary>
public sealed class InMemoryActivationSource : IActivationSource
{
    private readonly Tensor _data;
    private readonly bool _shuffle;
    private readonly bool _cycle;
    private readonly Generator _generator;
    private Tensor? _order;
    private long _cursor;

    /// <summary>Creates a source over <paramref name="data"/> <c>[tokens, d_in]</c> (the source keeps its own reference).</summary>
    /// <param name="data">Activations, any device and floating dtype.</param>
    /// <param name="shuffle">Visit rows in a new random order each epoch.</param>
    /// <param name="cycle">Start a new epoch when the data runs out instead of returning <see langword="null"/>.</param>
    /// <param name="seed">Seed of the shuffling generator.</param>
    public InMemoryActivationSource(Tensor data, bool shuffle = true, bool cycle = true, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.dim() != 2 || data.shape[0] == 0)
        {
            throw new ArgumentException($"Activations must be a non-empty [tokens, d_in] tensor, got [{string.Join(", ", data.shape)}].", nameof(data));
        }
        if (!data.is_floating_point())
        {
            throw new ArgumentException($"Activations must be floating point, got {data.dtype}.", nameof(data));
        }
        _data = data.alias().DetachFromDisposeScope();
        _shuffle = shuffle;
        _cycle = cycle;
        _generator = new Generator((ulong)seed);
        DIn = (int)data.shape[1];
    }

    /// <summary>Number of rows held.</summary>
    public long Count => _data.shape[0];

    /// <inheritdoc />
    public int DIn { get; }

    /// <inheritdoc />
    public long Position { get; private set; }

    /// <inheritdoc />
    public Tensor? NextBatch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (_cursor >= Count)
        {
            if (!_cycle) return null;
            _cursor = 0;
            _order?.Dispose();
            _order = null;
        }
        if (_shuffle && _order is null)
        {
            _order = randperm(Count, generator: _generator).DetachFromDisposeScope();
        }
        long take = Math.Min(batchSize, Count - _cursor);
        var batch = _order is null
            ? _data.narrow(0, _cursor, take).clone()
            : _data.index_select(0, _order.narrow(0, _cursor, take).to(_data.device));
        _cursor += take;
        Position += take;
        return batch;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _order?.Dispose();
        _data.Dispose();
        _generator.Dispose();
    }
}
