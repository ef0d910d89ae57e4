using System.Text.Json.Serialization;
using SparseDictionary.Losses;

namespace SparseDictionary.Training;

/// <summary>
/// Everything that defines a training run apart from the architecture (whose parameters, such as λ or k, are its
/// <see cref="Autoencoders.ArchitectureSpec"/>): steps, batch, learning rate and schedule, warm-ups, training aids, seed.
/// Validated defaults (<see cref="Validate"/> names the first bad field).
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Number of optimiser steps.</summary>
    public int TotalSteps { get; init; } = 10_000;

    /// <summary>Tokens per step.</summary>
    public int BatchSize { get; init; } = 4096;

    /// <summary>Base learning rate.</summary>
    public double LearningRate { get; init; } = 4e-4;

    /// <summary>Adam β₁.</summary>
    public double AdamBeta1 { get; init; } = 0.9;

    /// <summary>Adam β₂.</summary>
    public double AdamBeta2 { get; init; } = 0.999;

    /// <summary>Adam ε.</summary>
    public double AdamEpsilon { get; init; } = 1e-8;

    /// <summary>Learning-rate shape after warm-up.</summary>
    public LearningRateShape LearningRateShape { get; init; } = LearningRateShape.Constant;

    /// <summary>Steps of linear learning-rate warm-up.</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Steps of linear learning-rate decay to zero at the end.</summary>
    public int DecaySteps { get; init; }

    /// <summary>Cosine periods for <see cref="Training.LearningRateShape.CosineWithHardRestarts"/>.</summary>
    public int RestartCycles { get; init; } = 4;

    /// <summary>
    /// Steps over which every sparsity penalty's coefficient (<see cref="WeightedLossTerm.IsSparsityPenalty"/>: λ of the L1
    /// term, or of JumpReLU's L0 term) ramps linearly from 0 to its value.
    /// </summary>
    public int L1WarmupSteps { get; init; }

    /// <summary>How the decoder norm is controlled.</summary>
    public DecoderNormPolicy DecoderNorm { get; init; } = DecoderNormPolicy.UnitNormConstraint;

    /// <summary>Initialise <c>b_dec</c> to the geometric median of the first <see cref="InitializationTokens"/> tokens.</summary>
    public bool InitializeDecoderBiasToGeometricMedian { get; init; } = true;

    /// <summary>Scale activations to mean norm √d_in during training (folded into the weights at the end).</summary>
    public bool NormalizeActivations { get; init; } = true;

    /// <summary>Tokens read before training to estimate the normalisation scale and the geometric median.</summary>
    public int InitializationTokens { get; init; } = 16_384;

    /// <summary>Neuron resampling; <see langword="null"/> disables it.</summary>
    public ResamplingOptions? Resampling { get; init; }

    /// <summary>A latent that has not fired in this many tokens counts as dead in the training logs.</summary>
    public long DeadWindowTokens { get; init; } = 1_000_000;

    /// <summary>Record a point of the training curve every this many steps (and at the last step).</summary>
    public int LogEverySteps { get; init; } = 100;

    /// <summary>
    /// Whether a standard SAE with the standard loss is trained with closed-form gradients and sparse products
    /// (<see cref="SparseStepMode.Auto"/>, the default: the same updates within float rounding, faster) or autograd.
    /// </summary>
    public SparseStepMode SparseStep { get; init; } = SparseStepMode.Auto;

    /// <summary>
    /// Largest fraction of active latents (L0 / d_sae of a batch) for which <see cref="SparseStepMode.Auto"/> uses
    /// sparse products; denser batches (early training) use dense matmuls.
    /// </summary>
    public double SparseStepMaxActivity { get; init; } = SparseStandardStep.DefaultMaxActivity;

    /// <summary>Seed of the generator used for resampling draws.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Checkpoints saved during training (and on cancellation); <see langword="null"/> disables them.</summary>
    [JsonIgnore]
    public CheckpointOptions? Checkpoint { get; init; }

    /// <summary>What to do with a batch whose activations or loss are not finite.</summary>
    public NonFiniteBatchPolicy NonFiniteBatches { get; init; } = NonFiniteBatchPolicy.Stop;

    /// <summary>A step whose loss exceeds this multiple of the median of the previous <see cref="LossSpikeWindow"/> losses is logged as a spike.</summary>
    public double LossSpikeFactor { get; init; } = 10;

    /// <summary>Steps whose losses form the running median spikes are measured against (at least 10 must have been seen).</summary>
    public int LossSpikeWindow { get; init; } = 100;

    /// <summary>The learning-rate schedule these options describe.</summary>
    [JsonIgnore]
    public LearningRateSchedule Schedule => new(TotalSteps, LearningRateShape, WarmupSteps, DecaySteps, RestartCycles);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        Positive(TotalSteps, nameof(TotalSteps));
        Positive(BatchSize, nameof(BatchSize));
        Positive(InitializationTokens, nameof(InitializationTokens));
        Positive(LogEverySteps, nameof(LogEverySteps));
        Positive(DeadWindowTokens, nameof(DeadWindowTokens));
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be finite and positive.");
        if (L1WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(L1WarmupSteps), L1WarmupSteps, "L1WarmupSteps must be ≥ 0.");
        if (AdamBeta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(AdamBeta1), AdamBeta1, "AdamBeta1 must be in [0, 1).");
        if (AdamBeta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(AdamBeta2), AdamBeta2, "AdamBeta2 must be in [0, 1).");
        if (!(AdamEpsilon > 0)) throw new ArgumentOutOfRangeException(nameof(AdamEpsilon), AdamEpsilon, "AdamEpsilon must be positive.");
        if (!(LossSpikeFactor > 1) || !double.IsFinite(LossSpikeFactor)) throw new ArgumentOutOfRangeException(nameof(LossSpikeFactor), LossSpikeFactor, "LossSpikeFactor must be finite and > 1.");
        Positive(LossSpikeWindow, nameof(LossSpikeWindow));
        if (!Enum.IsDefined(NonFiniteBatches)) throw new ArgumentOutOfRangeException(nameof(NonFiniteBatches), NonFiniteBatches, "Unknown NonFiniteBatches policy.");
        if (!(SparseStepMaxActivity is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(SparseStepMaxActivity), SparseStepMaxActivity, "SparseStepMaxActivity must be in [0, 1].");
        Schedule.Validate();
        Resampling?.Validate();
        Checkpoint?.Validate();
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
    }
}
