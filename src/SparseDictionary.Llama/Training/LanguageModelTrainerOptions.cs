namespace SparseDictionary.Llama;

/// <summary>
/// Options of <see cref="LanguageModelTrainer"/>: AdamW with decoupled weight decay on the matrices only, a linear warm-up
/// then a cosine decay of the learning rate, and gradient-norm clipping. Every instance is valid: the constructor checks
/// each value.
/// </summary>
public sealed record LanguageModelTrainerOptions
{
    /// <summary>Creates and validates the options.</summary>
    /// <param name="steps">Number of optimiser steps.</param>
    /// <param name="batchSize">Token windows per step.</param>
    /// <param name="contextLength">Tokens per window (the model sees this many and predicts the next of each).</param>
    /// <param name="learningRate">Peak learning rate, reached at the end of the warm-up.</param>
    /// <param name="warmupSteps">Steps of linear warm-up from <paramref name="learningRate"/> / <paramref name="warmupSteps"/>.</param>
    /// <param name="minLearningRate">Learning rate at the end of the cosine decay.</param>
    /// <param name="weightDecay">AdamW's decoupled weight decay, applied to matrices, not to norm gains.</param>
    /// <param name="beta1">AdamW's first-moment decay.</param>
    /// <param name="beta2">AdamW's second-moment decay.</param>
    /// <param name="gradientClip">Largest global gradient L2 norm; larger gradients are scaled down to it.</param>
    /// <param name="seed">Seed of the initial weights and of the window sampling.</param>
    /// <param name="threads">libtorch's intra-op threads; 0 leaves the setting as it is.</param>
    /// <param name="evalInterval">Steps between held-out evaluations; 0 evaluates only at the end.</param>
    /// <param name="maxEvalWindows">Largest number of held-out windows an evaluation reads; 0 reads them all.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public LanguageModelTrainerOptions(
        int steps = 3000,
        int batchSize = 32,
        int contextLength = 128,
        double learningRate = 1e-3,
        int warmupSteps = 100,
        double minLearningRate = 1e-4,
        double weightDecay = 0.1,
        double beta1 = 0.9,
        double beta2 = 0.95,
        double gradientClip = 1.0,
        int seed = 1234,
        int threads = 0,
        int evalInterval = 500,
        int maxEvalWindows = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(contextLength);
        CheckPositive(learningRate, nameof(learningRate));
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(warmupSteps, steps);
        if (!double.IsFinite(minLearningRate) || minLearningRate < 0 || minLearningRate > learningRate)
        {
            throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "The final learning rate must be in [0, learningRate].");
        }
        if (!double.IsFinite(weightDecay) || weightDecay < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "The weight decay must be non-negative.");
        }
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        CheckPositive(gradientClip, nameof(gradientClip));
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        ArgumentOutOfRangeException.ThrowIfNegative(evalInterval);
        ArgumentOutOfRangeException.ThrowIfNegative(maxEvalWindows);
        Steps = steps;
        BatchSize = batchSize;
        ContextLength = contextLength;
        LearningRate = learningRate;
        WarmupSteps = warmupSteps;
        MinLearningRate = minLearningRate;
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        GradientClip = gradientClip;
        Seed = seed;
        Threads = threads;
        EvalInterval = evalInterval;
        MaxEvalWindows = maxEvalWindows;
    }

    /// <summary>Gets the number of optimiser steps.</summary>
    public int Steps { get; }

    /// <summary>Gets the number of token windows per step.</summary>
    public int BatchSize { get; }

    /// <summary>Gets the number of tokens per window.</summary>
    public int ContextLength { get; }

    /// <summary>Gets the peak learning rate.</summary>
    public double LearningRate { get; }

    /// <summary>Gets the number of warm-up steps.</summary>
    public int WarmupSteps { get; }

    /// <summary>Gets the learning rate at the end of the cosine decay.</summary>
    public double MinLearningRate { get; }

    /// <summary>Gets AdamW's decoupled weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>Gets AdamW's first-moment decay.</summary>
    public double Beta1 { get; }

    /// <summary>Gets AdamW's second-moment decay.</summary>
    public double Beta2 { get; }

    /// <summary>Gets the largest global gradient norm.</summary>
    public double GradientClip { get; }

    /// <summary>Gets the seed of the initial weights and of the window sampling.</summary>
    public int Seed { get; }

    /// <summary>Gets libtorch's intra-op threads; 0 leaves the setting as it is.</summary>
    public int Threads { get; }

    /// <summary>Gets the number of steps between held-out evaluations; 0 evaluates only at the end.</summary>
    public int EvalInterval { get; }

    /// <summary>Gets the largest number of held-out windows an evaluation reads; 0 reads them all.</summary>
    public int MaxEvalWindows { get; }

    private static void CheckPositive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "The value must be positive and finite.");
        }
    }

    private static void CheckBeta(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, "A moment decay must be in [0, 1).");
        }
    }
}
