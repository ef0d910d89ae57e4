using SparseDictionary.Activations;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>
/// One <see cref="IActivationSource"/> per hook point of a <see cref="MultiLayerActivationReader"/>, fed from the same forward
/// passes: a view that needs rows runs the next pass and queues its rows for the other views.
/// </summary>
internal sealed class LayerActivationViews
{
    private readonly MultiLayerActivationReader _reader;
    private readonly Dictionary<HookPoint, Queue<Tensor>?> _queues;

    public LayerActivationViews(MultiLayerActivationReader reader)
    {
        _reader = reader;
        _queues = reader.HookPoints.ToDictionary(p => p, _ => (Queue<Tensor>?)new Queue<Tensor>());
        Views = reader.HookPoints.ToDictionary(p => p, p => (IActivationSource)new View(this, p));
    }

    public IReadOnlyDictionary<HookPoint, IActivationSource> Views { get; }

    private Tensor? NextChunk(HookPoint point)
    {
        Queue<Tensor> queue = _queues[point]!;
        if (queue.Count == 0)
        {
            using var scope = NewDisposeScope();
            IReadOnlyDictionary<HookPoint, Tensor>? next = _reader.Next();
            if (next is null) return null;
            foreach ((HookPoint p, Tensor rows) in next)
            {
                // A disposed view's rows are dropped with the scope.
                _queues[p]?.Enqueue(rows.DetachFromDisposeScope());
            }
        }
        return queue.Dequeue();
    }

    private void Close(HookPoint point)
    {
        if (_queues[point] is { } queue)
        {
            while (queue.Count > 0) queue.Dequeue().Dispose();
        }
        _queues[point] = null;
    }

    private sealed class View : IActivationSource
    {
        private readonly LayerActivationViews _owner;
        private readonly HookPoint _point;
        private readonly RowBatcher _batcher;

        public View(LayerActivationViews owner, HookPoint point)
        {
            _owner = owner;
            _point = point;
            _batcher = new RowBatcher(() => owner.NextChunk(point));
        }

        public int DIn => _owner._reader.DModel;

        public long Position => _owner._reader.Options.SkipTokens + _batcher.Served;

        public Tensor? NextBatch(int batchSize) => _batcher.NextBatch(batchSize);

        public void Dispose()
        {
            _batcher.Dispose();
            _owner.Close(_point);
        }
    }
}
