using System.Text.Json;
using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>
/// The architectures <see cref="SaeLensFolder"/> can load, by their SAELens <c>architecture</c> name, and how each SAE
/// type of this library is written. Adding an architecture means adding one entry to each table.
/// </summary>
internal static class SaeLensArchitectures
{
    /// <summary>SAELens's default <c>k</c> of a TopK config (<c>TopKSAEConfig.k</c>).</summary>
    public const int SaeLensDefaultK = 100;

    private static readonly Dictionary<string, SaeLensArchitecture> ByName = new SaeLensArchitecture[]
    {
        new("standard",
            (config, _, device, dtype) => new StandardSae(config.DIn, config.DSae, device, dtype),
            FoldStandard),
        new("gated",
            (config, _, device, dtype) => new GatedSae(config.DIn, config.DSae, device, dtype),
            FoldGated),
        new("topk",
            (config, path, device, dtype) => new TopKSae(config.DIn, config.DSae, ReadK(config, path), device, dtype),
            FoldStandard)
        {
            NeedsRewrite = RescalesByDecoderNorm,
            Rewrite = FoldDecoderNorms,
        },
        new("jumprelu",
            (config, _, device, dtype) => new JumpReluSae(config.DIn, config.DSae, device, dtype),
            FoldStandard)
        {
            Import = ImportJumpRelu,
        },
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, SaeLensWriter> Writers = new SaeLensWriter[]
    {
        new("standard", "standard", ExportParameters, NoExtra),
        new("gated", "gated", ExportParameters, NoExtra),
        new("topk", "topk", ExportParameters, TopKExtra),
        new("jumprelu", "jumprelu", ExportJumpRelu, NoExtra),
        // SAELens saves a trained BatchTopK SAE as a JumpReLU one whose thresholds all equal the learned global one.
        new("batchtopk", "jumprelu", ExportBatchTopK, NoExtra),
    }.ToDictionary(w => w.SaeArchitecture, StringComparer.Ordinal);

    /// <summary>The architecture names that load, for error messages.</summary>
    public static IEnumerable<string> Names => ByName.Keys;

    /// <summary>The <see cref="ISparseAutoencoder.Architecture"/> values that save, for error messages.</summary>
    public static IEnumerable<string> SavableNames => Writers.Keys;

    public static bool TryGet(string name, out SaeLensArchitecture architecture) =>
        ByName.TryGetValue(name, out architecture!);

    public static bool TryGetWriter(string saeArchitecture, out SaeLensWriter writer) =>
        Writers.TryGetValue(saeArchitecture, out writer!);

    /// <summary>The writer of an SAE this library built (every loadable architecture has one).</summary>
    public static SaeLensWriter WriterOf(ISparseAutoencoder sae) =>
        TryGetWriter(sae.Architecture, out SaeLensWriter writer)
            ? writer
            : throw new InvalidOperationException($"No SAELens writer for the '{sae.Architecture}' architecture.");

    // The SAELens standard encoder without the b_dec shift computes  x·W_enc + b_enc.  Since
    //   x·W_enc + b_enc = (x − b_dec)·W_enc + b_dec·W_enc + b_enc = (x − b_dec)·W_enc + (b_enc + b_dec·W_enc),
    // the shifting encoder of StandardSae with b_enc' = b_enc + b_dec·W_enc computes the same pre-activations for every x,
    // hence the same features; the decoder (f·W_dec + b_dec) is unchanged. TopK and JumpReLU select on (or threshold) the
    // same pre-activations, so the same fold serves them.
    private static void FoldStandard(IDictionary<string, Tensor> w)
    {
        using Tensor shift = matmul(w["b_dec"], w["W_enc"]);
        w["b_enc"] = Replace(w["b_enc"], w["b_enc"] + shift);
    }

    // The SAELens gated encoder without the b_dec shift computes
    //   π_gate = x·W_enc + b_gate,   π_mag = x·(W_enc ⊙ exp(r_mag)) + b_mag   (exp(r_mag) scales column j of W_enc).
    // With s = b_dec·W_enc  (a [d_sae] row):
    //   x·W_enc + b_gate = (x − b_dec)·W_enc + (b_gate + s),
    //   x·(W_enc ⊙ exp(r_mag)) + b_mag = (x − b_dec)·(W_enc ⊙ exp(r_mag)) + (b_mag + s ⊙ exp(r_mag)),
    // because b_dec·(W_enc ⊙ exp(r_mag)) = (b_dec·W_enc) ⊙ exp(r_mag). So b_gate' = b_gate + s and
    // b_mag' = b_mag + s ⊙ exp(r_mag) make GatedSae's shifting encoder compute both pre-activations exactly, hence the
    // same gates and magnitudes; W_enc, r_mag and the decoder are unchanged.
    private static void FoldGated(IDictionary<string, Tensor> w)
    {
        using Tensor shift = matmul(w["b_dec"], w["W_enc"]);
        using Tensor scale = w["r_mag"].exp();
        w["b_gate"] = Replace(w["b_gate"], w["b_gate"] + shift);
        w["b_mag"] = Replace(w["b_mag"], w["b_mag"] + shift * scale);
    }

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
        w["b_enc"] = Replace(w["b_enc"], w["b_enc"] * norms);
        w["W_enc"] = Replace(w["W_enc"], w["W_enc"] * norms.unsqueeze(0));
        w["W_dec"] = Replace(w["W_dec"], w["W_dec"] / norms.unsqueeze(1));
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

    private static void ImportJumpRelu(ISparseAutoencoder sae, string name, Tensor value)
    {
        if (name != "threshold")
        {
            ImportParameter(sae, name, value);
            return;
        }
        // θ ≤ 0 → log θ = −∞, θ = 0: ReLU(z)·1[z > θ] is the same for every θ ≤ 0.
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        ((JumpReluSae)sae).LogThreshold.copy_(value.to(ScalarType.Float64).clamp_min(0).log());
    }

    internal static void ImportParameter(ISparseAutoencoder sae, string name, Tensor value)
    {
        using var _ = no_grad();
        sae.NamedParameters[name].copy_(value);
    }

    private static Dictionary<string, Tensor> ExportParameters(ISparseAutoencoder sae) =>
        sae.NamedParameters.ToDictionary(p => p.Key, p => p.Value.detach(), StringComparer.Ordinal);

    private static Dictionary<string, Tensor> ExportJumpRelu(ISparseAutoencoder sae)
    {
        var weights = ExportParameters(sae);
        weights.Remove("log_threshold", out Tensor? log);
        using (log) weights["threshold"] = log!.exp();
        return weights;
    }

    private static Dictionary<string, Tensor> ExportBatchTopK(ISparseAutoencoder sae)
    {
        var weights = ExportParameters(sae);
        weights["threshold"] = full(sae.DSae, ((BatchTopKSae)sae).Threshold, dtype: sae.DType, device: sae.Device);
        return weights;
    }

    private static IReadOnlyDictionary<string, JsonElement> NoExtra(ISparseAutoencoder sae) => SaeLensMetadata.NoExtra;

    // TopKSAEConfig's fields; the decoder is used as it is (rows need not be unit), so nothing is rescaled.
    private static IReadOnlyDictionary<string, JsonElement> TopKExtra(ISparseAutoencoder sae)
    {
        using JsonDocument document = JsonDocument.Parse($$"""{"k": {{((TopKSae)sae).K}}, "rescale_acts_by_decoder_norm": false}""");
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    private static Tensor Replace(Tensor old, Tensor replacement)
    {
        old.Dispose();
        return replacement;
    }
}

/// <summary>One loadable architecture.</summary>
/// <param name="Name">The SAELens <c>architecture</c> string.</param>
/// <param name="Create">
/// Builds an SAE of this architecture from the config (the second argument is the config's path, for errors), on a
/// device and dtype; its parameters are then overwritten.
/// </param>
/// <param name="FoldDecoderBiasIntoEncoder">
/// Rewrites the encoder biases of a SAELens state dict (float64 tensors by SAELens name) saved with
/// <c>apply_b_dec_to_input = false</c> so that this library's encoder, which always subtracts <c>b_dec</c>, computes the
/// same features.
/// </param>
internal sealed record SaeLensArchitecture(
    string Name,
    Func<SaeLensConfig, string, Device, ScalarType, ISparseAutoencoder> Create,
    Action<IDictionary<string, Tensor>> FoldDecoderBiasIntoEncoder)
{
    /// <summary>Whether the config asks for <see cref="Rewrite"/> (the config's path is for errors).</summary>
    public Func<SaeLensConfig, string, bool> NeedsRewrite { get; init; } = (_, _) => false;

    /// <summary>An architecture-specific rewrite of the float64 state dict into this library's form.</summary>
    public Action<IDictionary<string, Tensor>>? Rewrite { get; init; }

    /// <summary>Stores one SAELens tensor (already in its final values) into the SAE; by default, copies a parameter.</summary>
    public Action<ISparseAutoencoder, string, Tensor> Import { get; init; } = SaeLensArchitectures.ImportParameter;
}

/// <summary>How one SAE type of this library is written.</summary>
/// <param name="SaeArchitecture">The SAE's <see cref="ISparseAutoencoder.Architecture"/>.</param>
/// <param name="SavedArchitecture">The <c>architecture</c> written to <c>cfg.json</c>.</param>
/// <param name="Export">The tensors of <c>sae_weights.safetensors</c> by SAELens name (new handles the caller disposes).</param>
/// <param name="ConfigExtra">Architecture-specific <c>cfg.json</c> keys (TopK's <c>k</c>).</param>
internal sealed record SaeLensWriter(
    string SaeArchitecture,
    string SavedArchitecture,
    Func<ISparseAutoencoder, Dictionary<string, Tensor>> Export,
    Func<ISparseAutoencoder, IReadOnlyDictionary<string, JsonElement>> ConfigExtra);
