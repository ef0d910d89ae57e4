using SparseDictionary.Activations;
using SparseDictionary.Llama.Corpus;
using static TorchSharp.torch;

namespace SparseDictionary.Llama.Bridges;

/// <summary>
/// An <see cref="IActivationSource"/> that runs a Llama model over a corpus and serves the activations of one hook point at
/// the real, non-BOS token positions, in corpus order. It keeps at most one forward pass's activations.
/// </summary>
public sealed class ModelActivationSource : IActivationSource
{
    private readonly MultiLayerActivationReader _reader;
    private readonly HookPoint _hookPoint;
    private Tensor? _current;
    private long _offset;

    /// <summary>Creates the source; nothing is read until <see cref="NextBatch"/>.</summary>
    /// <param name="model">The model; it is not disposed with the source.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="text">The corpus.</param>
    /// <param name="hookPoint">The point whose activations are served.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="progress">Told the reader's position in tokens after each forward pass, if given.</param>
    public ModelActivationSource(LlamaModel model, ITokenizer tokenizer, ITextSource text, HookPoint hookPoint,
        ModelActivationSourceOptions? options = null, IProgress<long>? progress = null)
    {
        _reader = new MultiLayerActivationReader(model, tokenizer, text, [hookPoint], options, progress);
        _hookPoint = hookPoint;
        Position = _reader.Options.SkipTokens;
    }

    /// <summary>Gets the hook point served.</summary>
    public HookPoint HookPoint => _hookPoint;

    /// <inheritdoc />
    public int DIn => _reader.DModel;

    /// <summary>Gets the position in the stream of collected tokens: <see cref="ModelActivationSourceOptions.SkipTokens"/> plus the rows served.</summary>
    public long Position { get; private set; }

    /// <inheritdoc />
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
                if (!Refill()) break;
            }
            long take = Math.Min(needed, _current!.shape[0] - _offset);
            pieces.Add(_current.narrow(0, _offset, take));
            _offset += take;
            needed -= take;
        }
        if (pieces.Count == 0) return null;
        Tensor batch = pieces.Count == 1 ? pieces[0].clone() : cat(pieces, 0);
        Position += batch.shape[0];
        return batch.MoveToOuterDisposeScope();
    }

    /// <summary>Releases the buffered activations and stops reading the corpus.</summary>
    public void Dispose()
    {
        _current?.Dispose();
        _current = null;
        _reader.Dispose();
    }

    private bool Refill()
    {
        _current?.Dispose();
        _current = null;
        _offset = 0;
        using var scope = NewDisposeScope();
        IReadOnlyDictionary<HookPoint, Tensor>? next = _reader.Next();
        if (next is null) return false;
        _current = next[_hookPoint].DetachFromDisposeScope();
        return true;
    }
}
