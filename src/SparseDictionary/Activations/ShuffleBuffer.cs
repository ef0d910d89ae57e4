using static TorchSharp.torch;

namespace SparseDictionary.Activations;

/// <summary>
/// Serves the rows of another source in random order, mixing them within a buffer of bounded size, the way SAELens's
/// activation store does: fill the buffer, shuffle it, serve half of it, refill the served half and shuffle again.
/// </summary>
/// <remarks>
/// <para>
/// Sources such as an activation cache deliver tokens in corpus order, where neighbours are strongly correlated; training on
/// such batches biases every step. The buffer holds up to <see cref="ShuffleBufferOptions.Capacity"/> rows. Whenever serving
/// the next batch would leave it less than half full, it first pulls rows from the inner source into every free slot and
/// draws a new random serving order over everything it holds: the unserved half of the old rows mixes with the new ones.
/// The rows never move; the order is a permutation of slot indices, so a refill costs one copy of the new rows plus a
/// permutation of <c>Capacity</c> integers, and each batch is one gather.
/// </para>
/// <para>
/// When the inner source returns <see langword="null"/>, the buffer drains what it holds, in random order, and then returns
/// <see langword="null"/>. Over a finite source every row is served exactly once. The buffer lives on the CPU; batches come
/// back in the storage dtype and are owned by the caller. <see cref="Position"/> counts rows served.
/// </para>
/// <para>
/// <see cref="SaveState"/> captures everything needed to continue exactly: the buffered rows, the serving order, the
/// generator and the inner source's state (which must be an <see cref="IResumableActivationSource"/>).
/// </para>
/// </remarks>
public sealed class ShuffleBuffer : IResumableActivationSource
{
    // Rows asked of the inner source per call while refilling, to bound the temporary tensor it allocates.
    private const int FillChunkRows = 8192;

    private readonly IActivationSource _inner;
    private readonly bool _disposeInner;
    private readonly ShuffleBufferOptions _options;
    private readonly Generator _generator;
    private Tensor? _buffer;
    private Tensor? _order;  // slots of the unserved rows, in serving order from _cursor on; slots before it were served
    private long _cursor;
    private long _used;      // slots [0, _used) have held a row at some point; the rest were never filled
    private bool _innerDone;
    private bool _disposed;

    /// <summary>Creates a shuffle buffer over <paramref name="inner"/>.</summary>
    /// <param name="inner">The source to shuffle.</param>
    /// <param name="options">Capacity, seed and storage dtype; the defaults when <see langword="null"/>.</param>
    /// <param name="disposeInner">Dispose <paramref name="inner"/> with this buffer.</param>
    public ShuffleBuffer(IActivationSource inner, ShuffleBufferOptions? options = null, bool disposeInner = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= new ShuffleBufferOptions();
        options.Validate();
        _inner = inner;
        _disposeInner = disposeInner;
        _options = options;
        _generator = new Generator((ulong)options.Seed);
    }

    /// <inheritdoc />
    public int DIn => _inner.DIn;

    /// <inheritdoc />
    public long Position { get; private set; }

    /// <summary>Gets the most rows the buffer holds.</summary>
    public int Capacity => _options.Capacity;

    /// <summary>Gets the number of rows held and not yet served; never more than <see cref="Capacity"/>.</summary>
    public long Count => _order is null ? 0 : _order.shape[0] - _cursor;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The inner source returned a batch of the wrong shape.</exception>
    public Tensor? NextBatch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_innerDone && Count < (long)Capacity / 2 + batchSize)
        {
            Refill();
        }
        long take = Math.Min(batchSize, Count);
        if (take == 0)
        {
            return null;
        }

        using var scope = NewDisposeScope();
        Tensor batch = _buffer!.index_select(0, _order!.narrow(0, _cursor, take));
        _cursor += take;
        Position += take;
        return batch.MoveToOuterDisposeScope();
    }

    /// <summary>The kind recorded in this source's <see cref="ActivationSourceState"/>.</summary>
    public const string StateKind = "shuffle-buffer";

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">The inner source is not an <see cref="IResumableActivationSource"/>.</exception>
    public ActivationSourceState SaveState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inner is not IResumableActivationSource inner)
        {
            throw new NotSupportedException($"The shuffle buffer's inner source ({_inner.GetType().Name}) cannot save its position.");
        }
        var state = new ActivationSourceState(StateKind) { Inner = inner.SaveState() };
        state.Values["position"] = Position;
        state.Values["capacity"] = Capacity;
        state.Values["cursor"] = _cursor;
        state.Values["used"] = _used;
        state.Values["inner_done"] = _innerDone ? 1 : 0;
        state.Tensors["generator"] = _generator.get_state().clone().DetachFromDisposeScope();
        // Slots never filled hold uninitialised memory that is never served; only [0, used) is saved.
        if (_buffer is not null) state.Tensors["rows"] = _buffer.narrow(0, 0, _used).clone().DetachFromDisposeScope();
        if (_order is not null) state.Tensors["order"] = _order.clone().DetachFromDisposeScope();
        return state;
    }

    /// <inheritdoc />
    public void RestoreState(ActivationSourceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);
        state.ExpectKind(StateKind);
        if (_inner is not IResumableActivationSource inner)
        {
            throw new NotSupportedException($"The shuffle buffer's inner source ({_inner.GetType().Name}) cannot restore its position.");
        }
        if (state.Value("capacity") != Capacity)
        {
            throw new ArgumentException($"The saved shuffle buffer held {state.Value("capacity")} rows; this one holds {Capacity}.", nameof(state));
        }
        long used = state.Value("used");
        long cursor = state.Value("cursor");
        Tensor? rows = state.TensorOrNull("rows");
        Tensor? order = state.TensorOrNull("order");
        bool fits = used >= 0 && used <= Capacity
            && (rows is null ? used == 0 : rows.dim() == 2 && rows.shape[0] == used && rows.shape[1] == DIn)
            && (order is null ? cursor == 0 : order.dim() == 1 && order.dtype == ScalarType.Int64 && cursor >= 0 && cursor <= order.shape[0]);
        if (!fits) throw new ArgumentException("The saved shuffle buffer state does not fit this buffer.", nameof(state));
        inner.RestoreState(state.Inner ?? throw new ArgumentException("The saved shuffle buffer state has no inner state.", nameof(state)));
        _generator.set_state(state.TensorOrNull("generator") ?? throw new ArgumentException("The saved state has no generator.", nameof(state)));
        _buffer?.Dispose();
        _buffer = null;
        if (rows is not null)
        {
            _buffer = empty([Capacity, DIn], rows.dtype, CPU).DetachFromDisposeScope();
            if (used > 0) _buffer.narrow(0, 0, used).copy_(rows);
        }
        _order?.Dispose();
        _order = order?.clone().DetachFromDisposeScope();
        _cursor = cursor;
        _used = used;
        _innerDone = state.Value("inner_done") != 0;
        Position = state.Value("position");
    }

    /// <summary>Frees the buffer and, unless told otherwise, disposes the inner source.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _buffer?.Dispose();
        _order?.Dispose();
        _generator.Dispose();
        if (_disposeInner) _inner.Dispose();
    }

    /// <summary>Fills every free slot from the inner source, then draws a new serving order over all unserved rows.</summary>
    private void Refill()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long served = _cursor;
        // Free slots: those already served, then those never filled.
        Tensor never = arange(_used, Capacity, dtype: ScalarType.Int64);
        Tensor free = _order is null ? never : cat([_order.narrow(0, 0, served), never]);
        long freeCount = free.shape[0];

        long filled = 0;
        while (filled < freeCount)
        {
            // A scope per chunk, so that only one chunk at a time exists besides the buffer.
            using var chunkScope = NewDisposeScope();
            Tensor? rows = _inner.NextBatch((int)Math.Min(freeCount - filled, FillChunkRows));
            // An empty batch is taken as the end too, so a misbehaving source cannot make this loop forever.
            if (rows is null || rows.shape[0] == 0)
            {
                _innerDone = true;
                break;
            }
            if (rows.dim() != 2 || rows.shape[1] != DIn || rows.shape[0] > freeCount - filled)
            {
                throw new InvalidOperationException(
                    $"The inner source returned a [{string.Join(", ", rows.shape)}] batch; expected at most {freeCount - filled} rows of width {DIn}.");
            }
            _buffer ??= empty([Capacity, DIn], _options.StorageDType ?? rows.dtype, CPU).DetachFromDisposeScope();
            long n = rows.shape[0];
            _buffer.index_copy_(0, free.narrow(0, filled, n), rows.to(_buffer.dtype, CPU));
            filled += n;
        }
        _used += Math.Max(0, filled - served);

        Tensor unserved = _order is null ? empty(0, ScalarType.Int64) : _order.narrow(0, served, _order.shape[0] - served);
        Tensor live = cat([unserved, free.narrow(0, 0, filled)]);
        Tensor order = live.index_select(0, randperm(live.shape[0], generator: _generator)).DetachFromDisposeScope();
        _order?.Dispose();
        _order = order;
        _cursor = 0;
    }
}
