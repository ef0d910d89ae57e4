namespace SparseDictionary.Training;

/// <summary>Where and how often <see cref="SaeTrainer"/> saves a <see cref="TrainingCheckpoint"/>.</summary>
/// <param name="Folder">
/// The checkpoint folder. Each save replaces it atomically (<see cref="Formats.AtomicDirectory"/>): a crash mid-write leaves
/// the previous checkpoint, complete.
/// </param>
/// <param name="EverySteps">Save after every this many steps; a final checkpoint is also saved when training is cancelled.</param>
public sealed record CheckpointOptions(string Folder, int EverySteps = 1000)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Folder)) throw new ArgumentException("The checkpoint Folder must be given.", nameof(Folder));
        if (EverySteps <= 0) throw new ArgumentOutOfRangeException(nameof(EverySteps), EverySteps, "Checkpoint EverySteps must be positive.");
    }
}

/// <summary>What <see cref="SaeTrainer"/> does with a batch whose activations or loss hold NaN or ±Inf.</summary>
public enum NonFiniteBatchPolicy
{
    /// <summary>Stop training with a <see cref="TrainingDivergedException"/> naming the step and the tensor.</summary>
    Stop,

    /// <summary>
    /// Skip the batch: no parameter update, no statistics; the step still counts towards
    /// <see cref="TrainerOptions.TotalSteps"/>. Skips are logged and counted in <see cref="TrainingResult.SkippedBatches"/>.
    /// </summary>
    Skip,
}
