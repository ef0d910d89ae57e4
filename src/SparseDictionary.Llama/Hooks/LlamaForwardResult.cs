using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>What one <see cref="LlamaModel.Forward(Tensor, Tensor?, LlamaForwardOptions?)"/> pass returns.</summary>
/// <remarks>
/// The caller owns every tensor here and should dispose them (or let an enclosing dispose scope do it); <see cref="Dispose"/>
/// disposes them all.
/// </remarks>
public sealed class LlamaForwardResult : IDisposable
{
    internal LlamaForwardResult(Tensor? logits, IReadOnlyDictionary<HookPoint, Tensor> captured)
    {
        Logits = logits;
        Captured = captured;
    }

    /// <summary>
    /// Gets the logits <c>[batch, seq, vocab]</c> in the model's element type, or <see langword="null"/> when the pass
    /// stopped early (<see cref="LlamaForwardOptions.StopAfterLastCapture"/>).
    /// </summary>
    public Tensor? Logits { get; }

    /// <summary>Gets the value <c>[batch, seq, dim]</c> of each captured point, as the rest of the pass saw it.</summary>
    public IReadOnlyDictionary<HookPoint, Tensor> Captured { get; }

    /// <summary>Disposes the logits and the captured values.</summary>
    public void Dispose()
    {
        Logits?.Dispose();
        foreach (Tensor value in Captured.Values)
        {
            value.Dispose();
        }
    }
}
