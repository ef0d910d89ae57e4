namespace SparseDictionary.Autoencoders;

/// <summary>
/// Implemented by architectures that keep training state outside their parameters (BatchTopK's threshold estimate), so a
/// <see cref="Training.TrainingCheckpoint"/> can save it and a resumed run continue exactly.
/// </summary>
public interface ITrainingState
{
    /// <summary>The state as named numbers (saved exactly: doubles round-trip through the checkpoint).</summary>
    IReadOnlyDictionary<string, double> SaveTrainingState();

    /// <summary>Restores what <see cref="SaveTrainingState"/> returned.</summary>
    /// <exception cref="ArgumentException">A field is missing or out of range.</exception>
    void RestoreTrainingState(IReadOnlyDictionary<string, double> state);
}
