using System.ComponentModel;
using SparseDictionary.Formats;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>A JumpReLU SAE (<see cref="JumpReluSae"/>) and its loss.</summary>
public sealed record JumpReluSpec : ArchitectureSpec
{
    /// <summary>
    /// λ of the L0 penalty. The reconstruction loss is in the trainer's normalised units (mean ‖x‖ = √d_in), d_in times
    /// the paper's (unit mean squared norm), so the paper's λ corresponds to λ·d_in here.
    /// </summary>
    [Description("λ of the L0 penalty (the paper's λ × d_in, for the trainer's √d_in normalisation).")]
    public double L0Coefficient { get; init; } = 1;

    /// <summary>The STE bandwidth ε; <see langword="null"/> for the paper's (0.001 at unit mean squared norm, × √d_in).</summary>
    [Description("The straight-through estimators' bandwidth ε (default: 0.001 × √d_in).")]
    public double? Bandwidth { get; init; }

    /// <summary>The threshold θ₀ every latent starts with; <see langword="null"/> for the paper's (0.001 × √d_in).</summary>
    [Description("The threshold every latent starts with (default: 0.001 × √d_in).")]
    public double? InitialThreshold { get; init; }

    /// <inheritdoc />
    public override SaeArchitecture Architecture => JumpReluArchitecture.Instance;

    /// <inheritdoc />
    public override SparsitySetting Sparsity => SparsitySetting.L0(L0Coefficient);

    /// <inheritdoc />
    public override void Validate()
    {
        SpecChecks.NonNegative(L0Coefficient, nameof(L0Coefficient));
        SpecChecks.Positive(Bandwidth, nameof(Bandwidth));
        SpecChecks.Positive(InitialThreshold, nameof(InitialThreshold));
    }

    /// <inheritdoc />
    public override ISparseAutoencoder CreateSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
    {
        Validate();
        return new JumpReluSae(dIn, dSae, device, dtype, generator, Bandwidth, InitialThreshold);
    }

    /// <summary>
    /// <c>‖x − x̂‖² + λ Σᵢ H(zᵢ − θᵢ)</c> (<see cref="JumpReluL0Loss"/>); λ is a sparsity penalty, so the trainer's
    /// coefficient warm-up applies to it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="sae"/> is not a <see cref="JumpReluSae"/>.</exception>
    public override SaeLoss CreateLoss(ISparseAutoencoder sae, TrainerOptions run) => new(
    [
        new WeightedLossTerm(new ReconstructionLoss(), 1.0),
        new WeightedLossTerm(new JumpReluL0Loss(sae as JumpReluSae
            ?? throw new ArgumentException($"The JumpReLU loss needs a {nameof(JumpReluSae)}, not a '{sae?.Architecture}' SAE.", nameof(sae))),
            L0Coefficient, IsSparsityPenalty: true),
    ]);
}

/// <summary>The registry entry of the JumpReLU SAE.</summary>
public sealed class JumpReluArchitecture : SaeArchitecture<JumpReluSpec>
{
    /// <summary>The name, as SAELens writes it.</summary>
    public const string ArchitectureName = "jumprelu";

    private JumpReluArchitecture()
        : base(ArchitectureName, "JumpReLU SAE (Rajamanoharan et al. 2024): learned per-latent thresholds trained with an L0 penalty.")
    {
    }

    /// <summary>The entry.</summary>
    public static JumpReluArchitecture Instance { get; } = new();

    /// <inheritdoc />
    /// <remarks>
    /// SAELens folders store <c>threshold</c> itself; loading takes its logarithm (θ ≤ 0 becomes <c>log θ = −∞</c>, θ = 0:
    /// <c>ReLU(z)·1[z &gt; θ]</c> is the same for every θ ≤ 0).
    /// </remarks>
    internal override SaeLensMapping SaeLens { get; } = new(ArchitectureName, ExportThreshold)
    {
        Create = (config, _, device, dtype) => new JumpReluSae(config.DIn, config.DSae, device, dtype),
        Import = ImportThreshold,
    };

    private static Dictionary<string, Tensor> ExportThreshold(ISparseAutoencoder sae)
    {
        var weights = SaeLensMappings.ExportParameters(sae);
        weights.Remove("log_threshold", out Tensor? log);
        using (log) weights["threshold"] = log!.exp();
        return weights;
    }

    private static void ImportThreshold(ISparseAutoencoder sae, string name, Tensor value)
    {
        if (name != "threshold")
        {
            SaeLensMappings.ImportParameter(sae, name, value);
            return;
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        ((JumpReluSae)sae).LogThreshold.copy_(value.to(ScalarType.Float64).clamp_min(0).log());
    }
}
