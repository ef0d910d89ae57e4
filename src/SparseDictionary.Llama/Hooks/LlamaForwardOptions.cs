using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// What a <see cref="LlamaModel.Forward(Tensor, Tensor?, LlamaForwardOptions?)"/> pass reads, changes and computes besides
/// the logits.
/// </summary>
public sealed record LlamaForwardOptions
{
    /// <summary>
    /// Gets the points whose values the pass returns in <see cref="LlamaForwardResult.Captured"/>. A captured value is the
    /// one the rest of the pass sees: after the point's replacement, when it has one.
    /// </summary>
    public IReadOnlyList<HookPoint> Capture { get; init; } = [];

    /// <summary>
    /// Gets the functions that replace a point's value during the pass. Each receives the value <c>[batch, seq, dim]</c> and
    /// returns the value the rest of the pass uses instead, of the same shape (it is cast to the model's element type and
    /// device when it differs). It may return its argument. A returned tensor that the function created is disposed with
    /// the pass's other temporaries; one it owns from before the pass is left alone.
    /// </summary>
    /// <remarks>This is how a caller splices in a reconstruction of the activations, or zero-ablates them.</remarks>
    public IReadOnlyDictionary<HookPoint, Func<Tensor, Tensor>> Replace { get; init; } = new Dictionary<HookPoint, Func<Tensor, Tensor>>();

    /// <summary>
    /// Gets whether the pass stops as soon as the last point of <see cref="Capture"/> is reached, skipping the later
    /// blocks, the final norm and the output head; <see cref="LlamaForwardResult.Logits"/> is then <see langword="null"/>.
    /// Requires at least one capture, and no replacement after the last one (it would never run).
    /// </summary>
    public bool StopAfterLastCapture { get; init; }
}
