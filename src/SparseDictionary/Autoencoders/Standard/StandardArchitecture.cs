using System.ComponentModel;
using SparseDictionary.Formats;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>A standard ReLU SAE (<see cref="StandardSae"/>) and its loss.</summary>
public sealed record StandardSpec : ArchitectureSpec
{
    /// <summary>λ of the L1 penalty on the features.</summary>
    [Description("λ of the L1 penalty on the features.")]
    public double L1Coefficient { get; init; } = 5;

    /// <inheritdoc />
    public override SaeArchitecture Architecture => StandardArchitecture.Instance;

    /// <inheritdoc />
    public override SparsitySetting Sparsity => SparsitySetting.L1(L1Coefficient);

    /// <inheritdoc />
    public override void Validate() => SpecChecks.NonNegative(L1Coefficient, nameof(L1Coefficient));

    /// <inheritdoc />
    public override ISparseAutoencoder CreateSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
    {
        Validate();
        return new StandardSae(dIn, dSae, device, dtype, generator);
    }

    /// <summary>
    /// <c>‖x − x̂‖² + λ‖f‖₁</c>, the L1 term weighted by decoder row norms under <see cref="DecoderNormPolicy.WeightedL1"/>.
    /// The trainer computes it in closed form (<see cref="SparseStandardStep"/>) when it is unweighted.
    /// </summary>
    public override SaeLoss CreateLoss(ISparseAutoencoder sae, TrainerOptions run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new SaeLoss(
        [
            new WeightedLossTerm(new ReconstructionLoss(), 1.0),
            new WeightedLossTerm(new L1SparsityLoss(run.DecoderNorm == DecoderNormPolicy.WeightedL1), L1Coefficient, IsSparsityPenalty: true),
        ]);
    }
}

/// <summary>The registry entry of the standard ReLU SAE.</summary>
public sealed class StandardArchitecture : SaeArchitecture<StandardSpec>
{
    /// <summary>The name, as SAELens writes it.</summary>
    public const string ArchitectureName = "standard";

    private StandardArchitecture()
        : base(ArchitectureName, "Standard ReLU SAE (Bricken et al. 2023) with an L1 penalty.")
    {
    }

    /// <summary>The entry.</summary>
    public static StandardArchitecture Instance { get; } = new();

    /// <inheritdoc />
    internal override SaeLensMapping SaeLens { get; } = new(ArchitectureName, SaeLensMappings.ExportParameters)
    {
        Create = (config, _, device, dtype) => new StandardSae(config.DIn, config.DSae, device, dtype),
    };
}
