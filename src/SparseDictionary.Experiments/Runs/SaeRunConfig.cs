using System.Text.Json.Serialization;
using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Runs;

/// <summary>
/// One SAE training run: a name, the architecture and its parameters (<see cref="ArchitectureSpec"/>), the width relative
/// to the input, and the run itself (<see cref="TrainerOptions"/>). In JSON (sweep files, <c>results.json</c>) it is one flat
/// object of snake_case names: <c>name</c>, <c>architecture</c>, the architecture's parameters, <c>expansion_factor</c> and
/// <see cref="TrainerOptions"/>'s fields (<see cref="SaeRunConfigJson"/>); the command line uses the same names in
/// kebab-case.
/// </summary>
[JsonConverter(typeof(SaeRunConfigJson))]
public sealed record SaeRunConfig
{
    /// <summary>A name for tables and folders.</summary>
    public string Name { get; init; } = "sae";

    /// <summary>The architecture and its parameters.</summary>
    public ArchitectureSpec Architecture { get; init; } = new StandardSpec();

    /// <summary>Latents per input dimension (d_sae = ExpansionFactor × d_in).</summary>
    public int ExpansionFactor { get; init; } = 8;

    /// <summary>The run: steps, batch, learning rate and schedule, warm-ups, resampling, seed.</summary>
    public TrainerOptions Training { get; init; } = DefaultTraining;

    /// <summary>
    /// The run settings a run config starts from: 1,000 steps of 1,024 tokens at learning rate 10⁻³ with 50 warm-up steps,
    /// seed 1, a curve point every 20 steps; otherwise <see cref="TrainerOptions"/>'s defaults.
    /// </summary>
    public static TrainerOptions DefaultTraining { get; } = new()
    {
        TotalSteps = 1000, BatchSize = 1024, LearningRate = 1e-3, WarmupSteps = 50, Seed = 1, LogEverySteps = 20,
    };

    /// <summary>
    /// Neuron resampling scaled to a run of <paramref name="training"/>'s length and batch: every quarter of the run, on
    /// up to 16 batches (at most 32,768 tokens), re-warming the learning rate over a twentieth of the run.
    /// </summary>
    public static ResamplingOptions ResamplingFor(TrainerOptions training)
    {
        ArgumentNullException.ThrowIfNull(training);
        return new ResamplingOptions(
            IntervalSteps: Math.Max(1, training.TotalSteps / 4),
            SampleTokens: Math.Min(32_768, 16 * training.BatchSize),
            RewarmSteps: Math.Max(1, training.TotalSteps / 20));
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("Name must not be empty.", nameof(Name));
        ArgumentNullException.ThrowIfNull(Architecture, nameof(Architecture));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        if (ExpansionFactor <= 0) throw new ArgumentOutOfRangeException(nameof(ExpansionFactor), ExpansionFactor, "ExpansionFactor must be positive.");
        Architecture.Validate();
        Training.Validate();
    }

    /// <summary>A freshly initialised SAE of this run's architecture and width, seeded by the run's seed.</summary>
    /// <param name="dIn">Width of the activations.</param>
    /// <param name="device">Device of the parameters.</param>
    /// <param name="dtype">Element type of the parameters.</param>
    public ISparseAutoencoder CreateSae(int dIn, Device device, ScalarType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dIn);
        Validate();
        // SAE initialisation samples on the CPU whatever the device (see SaeInitialization), so the generator is a CPU one.
        using var generator = new Generator((ulong)Training.Seed);
        return Architecture.CreateSae(dIn, checked(ExpansionFactor * dIn), device, dtype, generator);
    }

    /// <summary>The loss <paramref name="sae"/> (made by <see cref="CreateSae"/>) trains with.</summary>
    public SaeLoss CreateLoss(ISparseAutoencoder sae) => Architecture.CreateLoss(sae, Training);
}
