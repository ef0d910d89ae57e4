using System.ComponentModel;
using SparseDictionary.Formats;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>Which loss to train a Gated SAE with.</summary>
public enum GatedLossVariant
{
    /// <summary>The paper's loss: reconstruction + λ·L1(ReLU(π_gate)) + the frozen-decoder auxiliary term.</summary>
    Full,

    /// <summary>
    /// The original note's loss, without the auxiliary term (reconstruction + λ·L1(ReLU(π_gate))). Kept to reproduce that
    /// experiment; the gate path then learns only to be sparse.
    /// </summary>
    WithoutAuxiliary,
}

/// <summary>A Gated SAE (<see cref="GatedSae"/>) and its loss.</summary>
public sealed record GatedSpec : ArchitectureSpec
{
    /// <summary>λ of the L1 penalty on <c>ReLU(π_gate)</c>.</summary>
    [Description("λ of the L1 penalty on ReLU(π_gate).")]
    public double L1Coefficient { get; init; } = 5;

    /// <summary>The paper's full loss, or the original note's loss without the auxiliary term.</summary>
    [Description("The paper's full loss, or the original note's without the auxiliary term.")]
    public GatedLossVariant GatedLoss { get; init; } = GatedLossVariant.Full;

    /// <inheritdoc />
    public override SaeArchitecture Architecture => GatedArchitecture.Instance;

    /// <inheritdoc />
    public override SparsitySetting Sparsity => SparsitySetting.L1(L1Coefficient);

    /// <inheritdoc />
    public override void Validate()
    {
        SpecChecks.NonNegative(L1Coefficient, nameof(L1Coefficient));
        SpecChecks.Defined(GatedLoss, nameof(GatedLoss));
    }

    /// <inheritdoc />
    public override ISparseAutoencoder CreateSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
    {
        Validate();
        return new GatedSae(dIn, dSae, device, dtype, generator);
    }

    /// <summary>
    /// <c>‖x − x̂‖² + λ‖ReLU(π_gate)‖₁</c> (weighted by decoder row norms under <see cref="DecoderNormPolicy.WeightedL1"/>),
    /// plus <see cref="GatedAuxiliaryLoss"/> for <see cref="GatedLossVariant.Full"/>.
    /// </summary>
    public override SaeLoss CreateLoss(ISparseAutoencoder sae, TrainerOptions run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var terms = new List<WeightedLossTerm>
        {
            new(new ReconstructionLoss(), 1.0),
            new(new L1SparsityLoss(run.DecoderNorm == DecoderNormPolicy.WeightedL1), L1Coefficient, IsSparsityPenalty: true),
        };
        if (GatedLoss == GatedLossVariant.Full) terms.Add(new(new GatedAuxiliaryLoss(), 1.0));
        return new SaeLoss(terms);
    }
}

/// <summary>The registry entry of the Gated SAE.</summary>
public sealed class GatedArchitecture : SaeArchitecture<GatedSpec>
{
    /// <summary>The name, as SAELens writes it.</summary>
    public const string ArchitectureName = "gated";

    private GatedArchitecture()
        : base(ArchitectureName, "Gated SAE (Rajamanoharan et al. 2024): a gate path and a rescaled magnitude path sharing W_gate.")
    {
    }

    /// <summary>The entry.</summary>
    public static GatedArchitecture Instance { get; } = new();

    /// <inheritdoc />
    internal override SaeLensMapping SaeLens { get; } = new(ArchitectureName, SaeLensMappings.ExportParameters)
    {
        Create = (config, _, device, dtype) => new GatedSae(config.DIn, config.DSae, device, dtype),
        FoldDecoderBiasIntoEncoder = FoldIntoGateAndMagnitudeBiases,
    };

    // The SAELens gated encoder without the b_dec shift computes
    //   π_gate = x·W_enc + b_gate,   π_mag = x·(W_enc ⊙ exp(r_mag)) + b_mag   (exp(r_mag) scales column j of W_enc).
    // With s = b_dec·W_enc  (a [d_sae] row):
    //   x·W_enc + b_gate = (x − b_dec)·W_enc + (b_gate + s),
    //   x·(W_enc ⊙ exp(r_mag)) + b_mag = (x − b_dec)·(W_enc ⊙ exp(r_mag)) + (b_mag + s ⊙ exp(r_mag)),
    // because b_dec·(W_enc ⊙ exp(r_mag)) = (b_dec·W_enc) ⊙ exp(r_mag). So b_gate' = b_gate + s and
    // b_mag' = b_mag + s ⊙ exp(r_mag) make GatedSae's shifting encoder compute both pre-activations exactly, hence the
    // same gates and magnitudes; W_enc, r_mag and the decoder are unchanged.
    private static void FoldIntoGateAndMagnitudeBiases(IDictionary<string, Tensor> w)
    {
        using Tensor shift = matmul(w["b_dec"], w["W_enc"]);
        using Tensor scale = w["r_mag"].exp();
        w["b_gate"] = SaeLensMappings.Replace(w["b_gate"], w["b_gate"] + shift);
        w["b_mag"] = SaeLensMappings.Replace(w["b_mag"], w["b_mag"] + shift * scale);
    }
}
