using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>Applies one forward pass's <see cref="LlamaForwardOptions"/> at each hook point the pass reaches.</summary>
internal sealed class HookRunner
{
    private readonly IReadOnlyDictionary<HookPoint, Func<Tensor, Tensor>> _replace;
    private readonly HashSet<HookPoint> _capture;
    private readonly HookPoint? _stopAt;
    private readonly DisposeScope _resultScope;
    private readonly Dictionary<HookPoint, Tensor> _captured = [];

    private HookRunner(IReadOnlyDictionary<HookPoint, Func<Tensor, Tensor>> replace, HashSet<HookPoint> capture, HookPoint? stopAt, DisposeScope resultScope)
    {
        _replace = replace;
        _capture = capture;
        _stopAt = stopAt;
        _resultScope = resultScope;
    }

    /// <summary>Whether the pass has reached the point after which it stops.</summary>
    public bool Stopped { get; private set; }

    /// <summary>
    /// Checks <paramref name="options"/> against a model of <paramref name="layerCount"/> blocks. Captured values join
    /// <paramref name="resultScope"/>, the pass's outermost scope, so that they survive its per-block scopes.
    /// </summary>
    /// <exception cref="ArgumentException">A point names a missing layer, or an early stop is impossible.</exception>
    public static HookRunner Create(LlamaForwardOptions? options, int layerCount, DisposeScope resultScope)
    {
        options ??= new LlamaForwardOptions();
        ArgumentNullException.ThrowIfNull(options.Capture, nameof(options.Capture));
        ArgumentNullException.ThrowIfNull(options.Replace, nameof(options.Replace));
        var capture = new HashSet<HookPoint>(options.Capture);
        foreach (HookPoint point in capture.Concat(options.Replace.Keys))
        {
            if (point.Layer >= layerCount)
            {
                throw new ArgumentException($"Hook point {point} names layer {point.Layer}, but the model has {layerCount} layers.", nameof(options));
            }
        }
        foreach ((HookPoint point, Func<Tensor, Tensor> replacement) in options.Replace)
        {
            if (replacement is null)
            {
                throw new ArgumentException($"The replacement for hook point {point} is null.", nameof(options));
            }
        }

        HookPoint? stopAt = null;
        if (options.StopAfterLastCapture)
        {
            if (capture.Count == 0)
            {
                throw new ArgumentException("Stopping after the last capture needs at least one point to capture.", nameof(options));
            }
            stopAt = capture.Max();
            foreach (HookPoint point in options.Replace.Keys)
            {
                if (point > stopAt.Value)
                {
                    throw new ArgumentException(
                        $"Hook point {point} is replaced, but the pass stops at {stopAt.Value}, before reaching it.", nameof(options));
                }
            }
        }
        return new HookRunner(options.Replace, capture, stopAt, resultScope);
    }

    /// <summary>
    /// Returns the value the rest of the pass uses at <paramref name="point"/>: <paramref name="value"/> passed through the
    /// point's replacement, if any. Captures it when asked, and notes when the pass should stop.
    /// </summary>
    public Tensor Visit(HookPoint point, Tensor value)
    {
        if (_replace.TryGetValue(point, out Func<Tensor, Tensor>? replacement))
        {
            value = Replaced(point, value, replacement);
        }
        if (_capture.Contains(point))
        {
            // A new handle on the same storage: the pass may dispose its own handle while the caller keeps this one.
            _captured[point] = value.alias().MoveToOtherDisposeScope(_resultScope);
        }
        if (point == _stopAt)
        {
            Stopped = true;
        }
        return value;
    }

    /// <summary>Returns the captured values, each moved to the scope outside the pass's result scope.</summary>
    public IReadOnlyDictionary<HookPoint, Tensor> TakeCaptured()
    {
        foreach (Tensor value in _captured.Values)
        {
            value.MoveToOuterDisposeScope();
        }
        return _captured.AsReadOnly();
    }

    private static Tensor Replaced(HookPoint point, Tensor value, Func<Tensor, Tensor> replacement)
    {
        Tensor result = replacement(value)
            ?? throw new InvalidOperationException($"The replacement for hook point {point} returned null.");
        if (!result.shape.SequenceEqual(value.shape))
        {
            throw new InvalidOperationException(
                $"The replacement for hook point {point} returned shape [{string.Join(", ", result.shape)}]; the site's value has shape [{string.Join(", ", value.shape)}].");
        }
        return result.dtype == value.dtype && result.device == value.device ? result : result.to(value.dtype, value.device);
    }
}
