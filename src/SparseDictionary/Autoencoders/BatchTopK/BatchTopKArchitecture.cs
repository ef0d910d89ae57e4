using System.ComponentModel;
using SparseDictionary.Formats;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>A BatchTopK SAE (<see cref="BatchTopKSae"/>) and its loss (reconstruction + AuxK).</summary>
public record BatchTopKSpec : TopKFamilySpec
{
    /// <summary>First step whose activations update θ; <see langword="null"/> for <see cref="BatchTopKSae.DefaultThresholdStartStep"/>.</summary>
    [Description("First step whose activations update the inference threshold (default: min(1000, steps / 4)).")]
    public int? ThresholdStartStep { get; init; }

    /// <summary>EMA factor β of θ; <see langword="null"/> for <see cref="BatchTopKSae.DefaultThresholdDecay"/>.</summary>
    [Description("EMA factor of the inference threshold (default: min(0.999, 1 − 10 / steps)).")]
    public double? ThresholdDecay { get; init; }

    /// <inheritdoc />
    public override SaeArchitecture Architecture => BatchTopKArchitecture.Instance;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        SpecChecks.NotNegative(ThresholdStartStep, nameof(ThresholdStartStep));
        SpecChecks.Fraction(ThresholdDecay, nameof(ThresholdDecay));
    }

    /// <inheritdoc />
    public override ISparseAutoencoder CreateSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
    {
        Validate();
        return new BatchTopKSae(dIn, dSae, KFor(dSae), device, dtype, generator)
        {
            ThresholdStartStep = ThresholdStartStep, ThresholdDecay = ThresholdDecay,
        };
    }
}

/// <summary>The registry entry of the BatchTopK SAE.</summary>
public sealed class BatchTopKArchitecture : SaeArchitecture<BatchTopKSpec>
{
    /// <summary>SAELens's training name; saved folders say <c>jumprelu</c>.</summary>
    public const string ArchitectureName = "batchtopk";

    private BatchTopKArchitecture()
        : base(ArchitectureName, "BatchTopK SAE (Bussmann et al. 2024): the batch keeps its k·B largest latents; a global threshold at inference.")
    {
    }

    /// <summary>The entry.</summary>
    public static BatchTopKArchitecture Instance { get; } = new();

    /// <inheritdoc />
    /// <remarks>SAELens saves a trained BatchTopK SAE as a JumpReLU one whose thresholds all equal the learned global one.</remarks>
    internal override SaeLensMapping SaeLens => SaveAsJumpRelu;

    /// <summary>The mapping of BatchTopK SAEs and their descendants: saved as JumpReLU with a constant threshold.</summary>
    internal static SaeLensMapping SaveAsJumpRelu { get; } =
        new(JumpReluArchitecture.ArchitectureName, sae => SaeLensMappings.ExportWithThreshold(sae, ((BatchTopKSae)sae).Threshold));
}
