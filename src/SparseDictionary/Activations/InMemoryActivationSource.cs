using static TorchSharp.torch;

namespace SparseDictionary.Activations;

/// <summary>
/// Serves batches from a tensor held in memory, optionally shuffled (a fresh permutation every epoch, from a seeded
/// generator) and optionally cycling forever.
/// </summary>
public sealed class InMemoryActivationSource : IResumableActivationSource
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

    /// <summary>The kind recorded in this source's <see cref="ActivationSourceState"/>.</summary>
    public const string StateKind = "in-memory";

    /// <inheritdoc />
    public ActivationSourceState SaveState()
    {
        var state = new ActivationSourceState(StateKind);
        state.Values["position"] = Position;
        state.Values["cursor"] = _cursor;
        state.Values["count"] = Count;
        state.Tensors["generator"] = _generator.get_state().clone().DetachFromDisposeScope();
        if (_order is not null) state.Tensors["order"] = _order.cpu().clone().DetachFromDisposeScope();
        return state;
    }

    /// <inheritdoc />
    public void RestoreState(ActivationSourceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.ExpectKind(StateKind);
        if (state.Value("count") != Count)
        {
            throw new ArgumentException($"The saved state is of {state.Value("count")} rows; this source holds {Count}.", nameof(state));
        }
        long cursor = state.Value("cursor");
        if (cursor < 0 || cursor > Count) throw new ArgumentException($"The saved cursor {cursor} is outside [0, {Count}].", nameof(state));
        Tensor? order = state.TensorOrNull("order");
        if (order is not null && (order.dtype != ScalarType.Int64 || order.shape.Length != 1 || order.shape[0] != Count))
        {
            throw new ArgumentException("The saved row order does not fit this source.", nameof(state));
        }
        _generator.set_state(state.TensorOrNull("generator") ?? throw new ArgumentException("The saved state has no generator.", nameof(state)));
        _order?.Dispose();
        _order = order?.clone().DetachFromDisposeScope();
        _cursor = cursor;
        Position = state.Value("position");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _order?.Dispose();
        _data.Dispose();
        _generator.Dispose();
    }
}
