using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Runs;

/// <summary>
/// One SAE training run as a user writes it (in a sweep file or on the command line): the architecture, its width
/// relative to the input, λ, the learning-rate schedule and the training aids. <see cref="Validate"/> names the first
/// bad field; <see cref="ToTrainerOptions"/> and <see cref="CreateSae"/> turn it into the library's types.
/// </summary>
public sealed record SaeRunConfig
{
    /// <summary>A name for tables and folders.</summary>
    public string Name { get; init; } = "sae";

    /// <summary>The architecture: <c>standard</c>, <c>gated</c>, <c>topk</c>, <c>batchtopk</c> or <c>jumprelu</c>.</summary>
    public string Architecture { get; init; } = "standard";

    /// <summary>For Gated SAEs: the paper's full loss, or the original note's loss without the auxiliary term.</summary>
    public GatedLossVariant GatedLoss { get; init; } = GatedLossVariant.Full;

    /// <summary>Latents per input dimension (d_sae = ExpansionFactor × d_in).</summary>
    public int ExpansionFactor { get; init; } = 8;

    /// <summary>
    /// The sparsity coefficient λ: of the L1 penalty for <c>standard</c> and <c>gated</c>, of the L0 penalty for
    /// <c>jumprelu</c>; unused by <c>topk</c> and <c>batchtopk</c>, whose sparsity is <see cref="K"/>.
    /// </summary>
    public double L1Coefficient { get; init; } = 5;

    /// <summary>Active latents per token for <c>topk</c> and <c>batchtopk</c> (on average over the batch for the latter).</summary>
    public int K { get; init; } = 32;

    /// <summary>
    /// JumpReLU: the bandwidth ε of the straight-through estimators; <see langword="null"/> for the paper's (0.001 at unit
    /// mean squared norm, scaled to the trainer's √d_in normalisation).
    /// </summary>
    public double? JumpReluBandwidth { get; init; }

    /// <summary>JumpReLU: the threshold θ₀ every latent starts with; <see langword="null"/> for the paper's (0.001, scaled likewise).</summary>
    public double? JumpReluInitialThreshold { get; init; }

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning-rate shape after the warm-up.</summary>
    public LearningRateShape Schedule { get; init; } = LearningRateShape.Constant;

    /// <summary>Steps of linear learning-rate warm-up.</summary>
    public int WarmupSteps { get; init; } = 50;

    /// <summary>Cosine periods when <see cref="Schedule"/> is <see cref="LearningRateShape.CosineWithHardRestarts"/>.</summary>
    public int RestartCycles { get; init; } = 4;

    /// <summary>Steps over which λ ramps up from 0.</summary>
    public int L1WarmupSteps { get; init; }

    /// <summary>Optimiser steps.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Tokens per step.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Anthropic-style neuron resampling of dead latents.</summary>
    public bool Resampling { get; init; }

    /// <summary>Steps between resampling rounds; <see langword="null"/> for a quarter of <see cref="Steps"/>.</summary>
    public int? ResamplingIntervalSteps { get; init; }

    /// <summary>Seed of the initialisation and of the resampling draws.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>
    /// The setting that controls sparsity, for tables and run names: <c>k=32</c> for <c>topk</c> and <c>batchtopk</c>,
    /// <c>λ0=0.1</c> (the L0 coefficient) for <c>jumprelu</c>, <c>λ=2</c> (the L1 coefficient) otherwise.
    /// </summary>
    public string SparsitySetting => Architecture switch
    {
        "topk" or "batchtopk" => FormattableString.Invariant($"k={K}"),
        "jumprelu" => FormattableString.Invariant($"λ0={L1Coefficient:G4}"),
        _ => FormattableString.Invariant($"λ={L1Coefficient:G4}"),
    };

    /// <summary>The architectures <see cref="CreateSae"/> builds.</summary>
    public static IReadOnlyList<string> Architectures { get; } = ["standard", "gated", "topk", "batchtopk", "jumprelu"];

    /// <summary>
    /// BatchTopK: the first step whose activations update the inference threshold θ: dictionary_learning's 1,000, or a
    /// quarter of <see cref="Steps"/> for shorter runs (with 1,000 a run of a few hundred steps would never set θ and
    /// would infer with θ = 0, a plain ReLU).
    /// </summary>
    public int BatchTopKThresholdStartStep => Math.Min(1000, Steps / 4);

    /// <summary>
    /// BatchTopK: the EMA factor β of θ: dictionary_learning's 0.999, or <c>1 − 10 / Steps</c> for runs under 10,000 steps,
    /// so the estimate follows the activations over the last tenth of the run rather than its first updates.
    /// </summary>
    public double BatchTopKThresholdDecay => Math.Min(0.999, 1 - 10.0 / Math.Max(Steps, 11));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.", nameof(Name));
        if (!Architectures.Contains(Architecture))
        {
            throw new ArgumentException($"Architecture '{Architecture}' is not one of {string.Join(", ", Architectures)}.", nameof(Architecture));
        }
        if (K <= 0) throw new ArgumentOutOfRangeException(nameof(K), K, "K must be positive.");
        if (ExpansionFactor <= 0) throw new ArgumentOutOfRangeException(nameof(ExpansionFactor), ExpansionFactor, "ExpansionFactor must be positive.");
        if (JumpReluBandwidth is { } bandwidth && !(bandwidth > 0 && double.IsFinite(bandwidth)))
        {
            throw new ArgumentOutOfRangeException(nameof(JumpReluBandwidth), JumpReluBandwidth, "JumpReluBandwidth must be finite and positive.");
        }
        if (JumpReluInitialThreshold is { } threshold && !(threshold > 0 && double.IsFinite(threshold)))
        {
            throw new ArgumentOutOfRangeException(nameof(JumpReluInitialThreshold), JumpReluInitialThreshold, "JumpReluInitialThreshold must be finite and positive.");
        }
        if (ResamplingIntervalSteps is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ResamplingIntervalSteps), ResamplingIntervalSteps, "ResamplingIntervalSteps must be positive.");
        }
        ToTrainerOptions().Validate();
    }

    /// <summary>The trainer options of this run.</summary>
    public TrainerOptions ToTrainerOptions() => new()
    {
        TotalSteps = Steps,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        LearningRateShape = Schedule,
        WarmupSteps = WarmupSteps,
        RestartCycles = RestartCycles,
        L1Coefficient = L1Coefficient,
        L0Coefficient = Architecture == "jumprelu" ? L1Coefficient : new TrainerOptions().L0Coefficient,
        L1WarmupSteps = L1WarmupSteps,
        GatedLoss = GatedLoss,
        Seed = Seed,
        LogEverySteps = Math.Max(1, Steps / 50),
        Resampling = Resampling
            ? new ResamplingOptions(
                IntervalSteps: ResamplingIntervalSteps ?? Math.Max(1, Steps / 4),
                SampleTokens: Math.Min(32_768, 16 * BatchSize),
                RewarmSteps: Math.Max(1, Steps / 20))
            : null,
    };

    /// <summary>A freshly initialised SAE of this run's architecture and width, seeded by <see cref="Seed"/>.</summary>
    /// <param name="dIn">Width of the activations.</param>
    /// <param name="device">Device of the parameters.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public ISparseAutoencoder CreateSae(int dIn, Device device, ScalarType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dIn);
        Validate();
        // SAE initialisation samples on the CPU whatever the device (see SaeInitialization), so the generator is a CPU one.
        using var generator = new Generator((ulong)Seed);
        int dSae = checked(ExpansionFactor * dIn);
        return Architecture switch
        {
            "gated" => new GatedSae(dIn, dSae, device, dtype, generator),
            "topk" => new TopKSae(dIn, dSae, Math.Min(K, dSae), device, dtype, generator),
            "batchtopk" => new BatchTopKSae(dIn, dSae, Math.Min(K, dSae), device, dtype, generator)
            {
                ThresholdStartStep = BatchTopKThresholdStartStep, ThresholdDecay = BatchTopKThresholdDecay,
            },
            "jumprelu" => new JumpReluSae(dIn, dSae, device, dtype, generator, JumpReluBandwidth, JumpReluInitialThreshold),
            _ => new StandardSae(dIn, dSae, device, dtype, generator),
        };
    }
}
