using static TorchSharp.torch;

namespace SparseDictionary.Activations;

/// <summary>
/// The saved position of an <see cref="IResumableActivationSource"/>: integers, tensors (generator states, buffered rows)
/// and the state of the source it wraps, if any. <see cref="Training.TrainingCheckpoint"/> stores it with the rest of a run.
/// </summary>
/// <remarks>The state owns its tensors (copies, never views of the source's live tensors); dispose it when done.</remarks>
public sealed class ActivationSourceState : IDisposable
{
    /// <summary>Creates an empty state for a source of kind <paramref name="kind"/>.</summary>
    /// <param name="kind">Identifies the source type, so a state is never restored into another kind of source.</param>
    public ActivationSourceState(string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        Kind = kind;
    }

    /// <summary>Gets the kind of source that saved this state (such as <c>shuffle-buffer</c>).</summary>
    public string Kind { get; }

    /// <summary>Gets the integer fields by name.</summary>
    public Dictionary<string, long> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the tensor fields by name (CPU tensors owned by this state).</summary>
    public Dictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the state of the wrapped source, for sources that wrap another.</summary>
    public ActivationSourceState? Inner { get; set; }

    /// <summary>The integer <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The state has no such field.</exception>
    public long Value(string name) => Values.TryGetValue(name, out long value)
        ? value
        : throw new ArgumentException($"The {Kind} state has no field '{name}'.", nameof(name));

    /// <summary>The tensor <paramref name="name"/>, or <see langword="null"/> when absent.</summary>
    public Tensor? TensorOrNull(string name) => Tensors.GetValueOrDefault(name);

    /// <summary>Throws unless this state was saved by a source of kind <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentException">The kinds differ.</exception>
    public void ExpectKind(string kind)
    {
        if (Kind != kind)
        {
            throw new ArgumentException($"The saved activation source state is of a '{Kind}' source, not of a '{kind}' source; resume with the source the run was started with.");
        }
    }

    /// <summary>Disposes the tensors, and the inner state's.</summary>
    public void Dispose()
    {
        foreach (Tensor tensor in Tensors.Values) tensor.Dispose();
        Tensors.Clear();
        Inner?.Dispose();
    }
}
