namespace SparseDictionary.Llama;

/// <summary>
/// The learning rate of <see cref="LanguageModelTrainer"/>: linear warm-up, then cosine decay to the minimum. (The SAE
/// trainer's schedules are the core's <c>LearningRateSchedule</c>; the two layers share no code, and the names differ.)
/// </summary>
public static class LanguageModelLearningRate
{
    /// <summary>Returns the learning rate of optimiser step <paramref name="step"/> (0-based).</summary>
    /// <param name="step">The step, from 0 to <see cref="LanguageModelTrainerOptions.Steps"/> − 1.</param>
    /// <param name="options">The training options.</param>
    /// <returns>
    /// <c>lr · (step + 1) / warmup</c> during the warm-up (so the first step does not use a zero rate); then
    /// <c>min + (lr − min) · (1 + cos(π · t)) / 2</c> with <c>t = (step − warmup) / (steps − warmup)</c>.
    /// </returns>
    public static double At(int step, LanguageModelTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < options.WarmupSteps)
        {
            return options.LearningRate * (step + 1) / options.WarmupSteps;
        }
        double progress = (double)(step - options.WarmupSteps) / Math.Max(1, options.Steps - options.WarmupSteps);
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress)));
        return options.MinLearningRate + (options.LearningRate - options.MinLearningRate) * cosine;
    }
}
