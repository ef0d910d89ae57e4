using SparseDictionary.Training;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// Implemented by architectures whose training needs more than the optimiser step: a training-only forward pass, or
/// state updated from each step's features (BatchTopK's inference threshold). <see cref="Training.SaeTrainer"/> calls
/// these; an architecture without such needs does not implement the interface.
/// </summary>
public interface ITrainingHooks
{
    /// <summary>Called once before the first training step: switches to the training behaviour.</summary>
    /// <param name="run">The run's options (its length sets defaults such as BatchTopK's threshold schedule).</param>
    void OnTrainingStart(TrainerOptions run);

    /// <summary>Called after each optimiser step with that step's forward pass (under <c>no_grad</c>).</summary>
    /// <param name="forward">The forward pass the step was trained on.</param>
    /// <param name="step">The 0-based step just taken.</param>
    void OnStepEnd(SaeForward forward, int step);

    /// <summary>Called once when training ends, also on failure: switches back to the inference behaviour.</summary>
    void OnTrainingEnd();
}
