namespace SparseDictionary.Activations;

/// <summary>
/// An activation source whose position can be saved and restored exactly: a source rebuilt with the same construction
/// arguments and given a saved state delivers the same batches, bit for bit, as the source that saved it would have.
/// <see cref="Training.SaeTrainer"/> needs one to checkpoint and resume a run.
/// </summary>
public interface IResumableActivationSource : IActivationSource
{
    /// <summary>Captures the current position (a copy: later batches do not change it).</summary>
    /// <exception cref="NotSupportedException">The source wraps one that cannot save its state.</exception>
    ActivationSourceState SaveState();

    /// <summary>
    /// Moves this source to <paramref name="state"/>, which a source built the same way saved. The state keeps ownership
    /// of its tensors (they are copied).
    /// </summary>
    /// <exception cref="ArgumentException">The state is of another kind of source, or does not fit this one.</exception>
    void RestoreState(ActivationSourceState state);
}
