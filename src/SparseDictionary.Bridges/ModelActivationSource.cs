using SparseDictionary.Activations;
using SparseDictionary.Llama.Corpus;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>
/// An <see cref="IActivationSource"/> that runs a Llama model over a corpus and serves the activations of one hook point at
/// the real, non-BOS token positions, in corpus order. It keeps at most one forward pass's activations.
/// </summary>
public sealed class ModelActivationSource : IActivationSource
{
    private readonly MultiLayerActivationReader _reader;
    private readonly RowBatcher _batcher;

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
        HookPoint = hookPoint;
        _batcher = new RowBatcher(NextChunk);
    }

    /// <summary>Gets the hook point served.</summary>
    public HookPoint HookPoint { get; }

    /// <inheritdoc />
    public int DIn => _reader.DModel;

    /// <summary>Gets the position in the stream of collected tokens: <see cref="ModelActivationSourceOptions.SkipTokens"/> plus the rows served.</summary>
    public long Position => _reader.Options.SkipTokens + _batcher.Served;

    /// <inheritdoc />
    public Tensor? NextBatch(int batchSize) => _batcher.NextBatch(batchSize);

    /// <summary>Releases the buffered activations and stops reading the corpus.</summary>
    public void Dispose()
    {
        _batcher.Dispose();
        _reader.Dispose();
    }

    private Tensor? NextChunk()
    {
        using var scope = NewDisposeScope();
        return _reader.Next()?[HookPoint].DetachFromDisposeScope();
    }
}
