using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>
/// Re-cuts a stream of row chunks (one per forward pass) into batches of a requested size, holding one chunk at a time.
/// </summary>
internal sealed class RowBatcher : IDisposable
{
    private readonly Func<Tensor?> _nextChunk;
    private Tensor? _current;
    private long _offset;

    /// <param name="nextChunk">Returns the next chunk, owned by the batcher and outside any dispose scope, or null at the end.</param>
    public RowBatcher(Func<Tensor?> nextChunk) => _nextChunk = nextChunk;

    /// <summary>Gets the rows served so far.</summary>
    public long Served { get; private set; }

    /// <summary>The next batch of at most <paramref name="batchSize"/> rows in the caller's dispose scope, or null at the end.</summary>
    public Tensor? NextBatch(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        using var scope = NewDisposeScope();
        var pieces = new List<Tensor>();
        long needed = batchSize;
        while (needed > 0)
        {
            if (_current is null || _offset == _current.shape[0])
            {
                _current?.Dispose();
                _offset = 0;
                _current = _nextChunk();
                if (_current is null) break;
            }
            long take = Math.Min(needed, _current.shape[0] - _offset);
            pieces.Add(_current.narrow(0, _offset, take));
            _offset += take;
            needed -= take;
        }
        if (pieces.Count == 0) return null;
        Tensor batch = pieces.Count == 1 ? pieces[0].clone() : cat(pieces, 0);
        Served += batch.shape[0];
        return batch.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _current?.Dispose();
        _current = null;
    }
}
