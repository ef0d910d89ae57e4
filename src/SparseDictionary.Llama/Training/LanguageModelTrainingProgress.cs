namespace SparseDictionary.Llama;

/// <summary>One optimiser step of <see cref="LanguageModelTrainer"/>, as reported to its progress sink.</summary>
/// <param name="Step">The step just taken, 1-based.</param>
/// <param name="Steps">The number of steps in the run.</param>
/// <param name="Loss">The step's mean next-token cross-entropy (nats per token) on its training batch.</param>
/// <param name="LearningRate">The learning rate the step used.</param>
/// <param name="GradientNorm">The global gradient L2 norm before clipping.</param>
/// <param name="HeldOutPerplexity">The held-out perplexity, when the step ended with an evaluation; otherwise <see langword="null"/>.</param>
public sealed record LanguageModelTrainingProgress(int Step, int Steps, double Loss, double LearningRate, double GradientNorm, double? HeldOutPerplexity);

/// <summary>What a <see cref="LanguageModelTrainer"/> run achieved.</summary>
/// <param name="FinalLoss">The last step's training loss (nats per token).</param>
/// <param name="HeldOutPerplexity">The held-out perplexity after the last step.</param>
/// <param name="Elapsed">Wall-clock time of the run, evaluations included.</param>
public sealed record LanguageModelTrainingResult(double FinalLoss, double HeldOutPerplexity, TimeSpan Elapsed);
