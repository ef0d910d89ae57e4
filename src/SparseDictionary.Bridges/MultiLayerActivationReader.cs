using SparseDictionary.Llama.Corpus;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>
/// Runs a Llama model over a corpus, a batch of context windows per forward pass, stopping after the last hook point, and
/// returns the activations of several hook points for the same tokens: the positions that are real tokens and not BOS.
/// </summary>
/// <remarks>
/// Memory is bounded by one forward pass: nothing is kept between calls to <see cref="Next"/>. The rows come in corpus
/// order: window by window, position by position.
/// </remarks>
public sealed class MultiLayerActivationReader : IDisposable
{
    private readonly LlamaModel _model;
    private readonly IEnumerator<ContextWindow> _windows;
    private readonly IProgress<long>? _progress;
    private readonly HookPoint[] _hookPoints;
    private long _toSkip;
    private bool _exhausted;
    private bool _viewsCreated;

    /// <summary>Creates the reader; nothing is read until <see cref="Next"/>.</summary>
    /// <param name="model">The model; it is not disposed with the reader.</param>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="text">The corpus.</param>
    /// <param name="hookPoints">The points to read, at least one, no duplicates.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="progress">Told the <see cref="Position"/> after each forward pass, if given.</param>
    /// <exception cref="ArgumentException">No hook point, a duplicate, or one past the model's last layer.</exception>
    public MultiLayerActivationReader(LlamaModel model, ITokenizer tokenizer, ITextSource text, IReadOnlyList<HookPoint> hookPoints,
        ModelActivationSourceOptions? options = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(hookPoints);
        options ??= new ModelActivationSourceOptions();
        options.Validate();
        if (hookPoints.Count == 0) throw new ArgumentException("At least one hook point is needed.", nameof(hookPoints));
        if (hookPoints.Distinct().Count() != hookPoints.Count) throw new ArgumentException("Hook points must be distinct.", nameof(hookPoints));
        HookPoint? tooDeep = hookPoints.Where(p => p.Layer >= model.Config.LayerCount).Cast<HookPoint?>().FirstOrDefault();
        if (tooDeep is not null)
        {
            throw new ArgumentException($"Hook point {tooDeep} is past the model's {model.Config.LayerCount} layers.", nameof(hookPoints));
        }
        if (options.Windows.ContextLength > model.Config.MaxSeqLen)
        {
            throw new ArgumentException($"ContextLength {options.Windows.ContextLength} exceeds the model's MaxSeqLen {model.Config.MaxSeqLen}.", nameof(options));
        }
        _model = model;
        _hookPoints = [.. hookPoints.Order()];
        Options = options;
        _progress = progress;
        _windows = new ContextWindows(tokenizer, options.Windows).Enumerate(text.ReadDocuments()).GetEnumerator();
        _toSkip = options.SkipTokens;
        Position = 0;
    }

    /// <summary>Gets the hook points read, in forward order.</summary>
    public IReadOnlyList<HookPoint> HookPoints => _hookPoints;

    /// <summary>Gets the options.</summary>
    public ModelActivationSourceOptions Options { get; }

    /// <summary>Gets the width of the activations (the model's dimension).</summary>
    public int DModel => _model.Config.Dim;

    /// <summary>
    /// Gets the position in the stream of collected tokens: the skipped ones plus those returned so far. Skipped tokens
    /// count once they have been passed over.
    /// </summary>
    public long Position { get; private set; }

    /// <summary>
    /// Runs the next forward pass and returns, for each hook point, the <c>[n, d_model]</c> activations at its collected
    /// positions (the same n tokens for every point, n ≥ 1), created in the caller's dispose scope and owned by the caller;
    /// or <see langword="null"/> when the corpus or <see cref="ModelActivationSourceOptions.MaxTokens"/> is exhausted.
    /// </summary>
    /// <returns>The activations by hook point, or <see langword="null"/>.</returns>
    public IReadOnlyDictionary<HookPoint, Tensor>? Next()
    {
        while (!_exhausted)
        {
            if (Options.MaxTokens is long limit && Position >= limit)
            {
                break;
            }
            List<ContextWindow> batch = TakeWindows(out long dropFront);
            if (batch.Count == 0)
            {
                break;
            }
            var indices = new List<long>();
            int length = Options.Windows.ContextLength;
            for (int w = 0; w < batch.Count; w++)
            {
                for (int i = 0; i < length; i++)
                {
                    if (batch[w].IsCollected(i)) indices.Add((long)w * length + i);
                }
            }
            // The first window may be partly skipped, and the last trimmed to MaxTokens.
            long skip = Math.Min(dropFront, indices.Count);
            Position += skip;
            long remaining = Options.MaxTokens is long max ? Math.Max(0, max - Position) : long.MaxValue;
            long take = Math.Min(indices.Count - skip, remaining);
            if (take == 0)
            {
                continue;
            }
            IReadOnlyDictionary<HookPoint, Tensor> result = Run(batch, indices.Skip((int)skip).Take((int)take).ToArray());
            Position += take;
            _progress?.Report(Position);
            return result;
        }
        _exhausted = true;
        return null;
    }

    /// <summary>
    /// Creates one <see cref="SparseDictionary.Activations.IActivationSource"/> per hook point, fed from this reader's forward
    /// passes: when a view needs rows it runs the next pass and queues the other points' rows for their views. Memory stays
    /// bounded by about one pass when the views are read in step (such as one batch from each in turn); a view read far ahead
    /// of the others makes them queue what it has passed. Do not call <see cref="Next"/> while using the views. Disposing a
    /// view drops its queue; disposing the reader is still the caller's job.
    /// </summary>
    /// <returns>The views by hook point; each view's position counts the rows it served after the skipped tokens.</returns>
    /// <exception cref="InvalidOperationException">The views were already created.</exception>
    public IReadOnlyDictionary<HookPoint, SparseDictionary.Activations.IActivationSource> CreateViews()
    {
        if (_viewsCreated) throw new InvalidOperationException("The views of this reader were already created.");
        _viewsCreated = true;
        return new LayerActivationViews(this).Views;
    }

    /// <summary>Stops reading the corpus.</summary>
    public void Dispose() => _windows.Dispose();

    // Windows wholly inside the skipped prefix are passed over without running the model.
    private List<ContextWindow> TakeWindows(out long dropFront)
    {
        var batch = new List<ContextWindow>(Options.WindowsPerForward);
        dropFront = 0;
        while (batch.Count < Options.WindowsPerForward && _windows.MoveNext())
        {
            ContextWindow window = _windows.Current;
            if (batch.Count == 0 && _toSkip > 0 && window.CollectedCount <= _toSkip)
            {
                _toSkip -= window.CollectedCount;
                Position += window.CollectedCount;
                continue;
            }
            if (batch.Count == 0)
            {
                dropFront = _toSkip;
                _toSkip = 0;
            }
            if (window.CollectedCount > 0) batch.Add(window);
        }
        return batch;
    }

    private Dictionary<HookPoint, Tensor> Run(List<ContextWindow> batch, long[] indices)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int length = Options.Windows.ContextLength;
        long[] ids = new long[batch.Count * length];
        long[] mask = new long[batch.Count * length];
        for (int w = 0; w < batch.Count; w++)
        {
            for (int i = 0; i < length; i++)
            {
                ids[w * length + i] = batch[w].Tokens[i];
                mask[w * length + i] = batch[w].IsReal(i) ? 1 : 0;
            }
        }
        Tensor tokens = tensor(ids, [batch.Count, length], device: _model.Device);
        Tensor attention = tensor(mask, [batch.Count, length], device: _model.Device);
        Tensor rows = tensor(indices, device: _model.Device);
        using LlamaForwardResult forward = _model.Forward(tokens, attention, new LlamaForwardOptions
        {
            Capture = _hookPoints,
            StopAfterLastCapture = true,
        });
        var result = new Dictionary<HookPoint, Tensor>();
        Device device = Options.Device ?? CPU;
        foreach (HookPoint point in _hookPoints)
        {
            Tensor captured = forward.Captured[point];
            result[point] = captured.reshape(-1, captured.shape[2]).index_select(0, rows)
                .to(Options.DType, device).MoveToOuterDisposeScope();
        }
        return result;
    }
}
