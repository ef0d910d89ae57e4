using System.ComponentModel;
using System.Text.Json;
using SparseDictionary.Formats;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The parameters the TopK family (TopK, BatchTopK, Matryoshka BatchTopK) shares: k and the AuxK term, and their loss
/// <c>‖x − x̂‖² + α·L_aux</c> (Gao et al. 2024): the sparsity is set by k, so there is no sparsity penalty, and dead
/// latents are revived by AuxK (<see cref="AuxKLoss"/>) rather than by resampling.
/// </summary>
public abstract record TopKFamilySpec : ArchitectureSpec
{
    /// <summary>The AuxK coefficient α of Gao et al. 2024 (Appendix A.2): 1/32.</summary>
    public const double DefaultAuxKCoefficient = 1.0 / 32;

    /// <summary>Active latents per token (BatchTopK: on average over the batch).</summary>
    [Description("Active latents per token (BatchTopK: on average over the batch).")]
    public int K { get; init; } = 32;

    /// <summary>The AuxK coefficient α (0 leaves only the reconstruction term).</summary>
    [Description("The AuxK coefficient α (Gao et al.: 1/32).")]
    public double AuxKCoefficient { get; init; } = DefaultAuxKCoefficient;

    /// <summary><c>k_aux</c> of the AuxK term; <see langword="null"/> for <c>d_in / 2</c>.</summary>
    [Description("k_aux of the AuxK term (default d_in / 2).")]
    public int? AuxKLatents { get; init; }

    /// <summary>A latent not fired in this many tokens is dead for the AuxK term (Gao et al., sparsify: 10M).</summary>
    [Description("Tokens without firing after which AuxK counts a latent dead.")]
    public long AuxKDeadWindowTokens { get; init; } = AuxKLoss.DefaultDeadWindowTokens;

    /// <inheritdoc />
    public override SparsitySetting Sparsity => SparsitySetting.K(K);

    /// <inheritdoc />
    public override void Validate()
    {
        SpecChecks.Positive(K, nameof(K));
        SpecChecks.NonNegative(AuxKCoefficient, nameof(AuxKCoefficient));
        SpecChecks.Positive(AuxKLatents, nameof(AuxKLatents));
        SpecChecks.Positive(AuxKDeadWindowTokens, nameof(AuxKDeadWindowTokens));
    }

    /// <summary>The k an SAE of width <paramref name="dSae"/> uses: <see cref="K"/>, at most <paramref name="dSae"/>.</summary>
    protected int KFor(int dSae) => Math.Min(K, dSae);

    /// <summary><c>‖x − x̂‖² + α·L_aux</c>.</summary>
    public override SaeLoss CreateLoss(ISparseAutoencoder sae, TrainerOptions run) => new(
    [
        new WeightedLossTerm(ReconstructionTerm(sae), 1.0),
        new WeightedLossTerm(new AuxKLoss(AuxKLatents, AuxKDeadWindowTokens), AuxKCoefficient),
    ]);

    /// <summary>The reconstruction term (Matryoshka: one per nested prefix).</summary>
    protected virtual ILossTerm ReconstructionTerm(ISparseAutoencoder sae) => new ReconstructionLoss();
}

/// <summary>A TopK SAE (<see cref="TopKSae"/>) and its loss.</summary>
public sealed record TopKSpec : TopKFamilySpec
{
    /// <inheritdoc />
    public override SaeArchitecture Architecture => TopKArchitecture.Instance;

    /// <inheritdoc />
    public override ISparseAutoencoder CreateSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
    {
        Validate();
        return new TopKSae(dIn, dSae, KFor(dSae), device, dtype, generator);
    }
}

/// <summary>The registry entry of the TopK SAE.</summary>
public sealed class TopKArchitecture : SaeArchitecture<TopKSpec>
{
    /// <summary>The name, as SAELens writes it.</summary>
    public const string ArchitectureName = "topk";

    /// <summary>The activation function pre-6.0 SAELens configs name for TopK SAEs.</summary>
    internal const string LegacyActivationName = "topk";

    /// <summary>SAELens's default <c>k</c> of a TopK config (<c>TopKSAEConfig.k</c>).</summary>
    public const int SaeLensDefaultK = 100;

    private TopKArchitecture()
        : base(ArchitectureName, "TopK SAE (Gao et al. 2024): each token keeps its k largest latents; AuxK revives dead ones.")
    {
    }

    /// <summary>The entry.</summary>
    public static TopKArchitecture Instance { get; } = new();

    /// <inheritdoc />
    internal override SaeLensMapping SaeLens { get; } = new(ArchitectureName, SaeLensMappings.ExportParameters)
    {
        Create = (config, path, device, dtype) => new TopKSae(config.DIn, config.DSae, ReadK(config, path), device, dtype),
        NeedsRewrite = RescalesByDecoderNorm,
        Rewrite = FoldDecoderNorms,
        // TopKSAEConfig's fields; the decoder is used as it is (rows need not be unit), so nothing is rescaled.
        ConfigExtra = sae => SaeLensMappings.Extra($$"""{"k": {{((TopKSae)sae).K}}, "rescale_acts_by_decoder_norm": false}"""),
        LegacyActivation = LegacyActivationName,
    };

    // rescale_acts_by_decoder_norm: SAELens's TopK selects on z ⊙ n (n = the decoder row norms) and decodes f ⊘ n.
    // SAELens's own _fold_norm_topk rewrites b_enc ← b_enc ⊙ n, W_enc ← W_enc ⊙ n (columns), W_dec ← W_dec ⊘ n (rows):
    // then z' = z ⊙ n, the same selection and features, and f·(W_dec ⊘ n) = (f ⊘ n)·W_dec; the rewritten decoder has unit
    // rows, so rescaling by its norms is the identity and the plain TopK SAE computes the same thing.
    private static bool RescalesByDecoderNorm(SaeLensConfig config, string configPath) =>
        config.Extra.TryGetValue("rescale_acts_by_decoder_norm", out JsonElement value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw SaeFormatException.ForKey(configPath, "rescale_acts_by_decoder_norm", $"expected true or false, found {StrictJson.Describe(value)}."),
        };

    private static void FoldDecoderNorms(IDictionary<string, Tensor> w)
    {
        using Tensor norms = w["W_dec"].norm(1);
        w["b_enc"] = SaeLensMappings.Replace(w["b_enc"], w["b_enc"] * norms);
        w["W_enc"] = SaeLensMappings.Replace(w["W_enc"], w["W_enc"] * norms.unsqueeze(0));
        w["W_dec"] = SaeLensMappings.Replace(w["W_dec"], w["W_dec"] / norms.unsqueeze(1));
    }

    private static int ReadK(SaeLensConfig config, string configPath)
    {
        int k = SaeLensDefaultK;
        if (config.Extra.TryGetValue("k", out JsonElement value))
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out k))
            {
                throw SaeFormatException.ForKey(configPath, "k", $"expected an integer, found {StrictJson.Describe(value)}.");
            }
        }
        if (k < 1 || k > config.DSae)
        {
            string given = config.Extra.ContainsKey("k") ? $"k = {k}" : $"k is missing, so SAELens's default {k} applies, and";
            throw SaeFormatException.ForKey(configPath, "k", $"{given} is not in [1, d_sae = {config.DSae}].");
        }
        return k;
    }
}
