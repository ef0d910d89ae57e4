using System.Text.Json;
using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>
/// How one architecture's SAEs map to SAELens folders: the tensors and <c>cfg.json</c> keys written, and, for the
/// architectures SAELens folders name, how such a folder becomes an SAE of this library. Each architecture's registry
/// entry (<see cref="SaeArchitecture"/>) holds its mapping.
/// </summary>
/// <param name="SavedArchitecture">The <c>architecture</c> written to <c>cfg.json</c> (BatchTopK SAEs are saved as <c>jumprelu</c>).</param>
/// <param name="Export">The tensors of <c>sae_weights.safetensors</c> by SAELens name (new handles the caller disposes).</param>
internal sealed record SaeLensMapping(string SavedArchitecture, Func<ISparseAutoencoder, Dictionary<string, Tensor>> Export)
{
    /// <summary>Architecture-specific <c>cfg.json</c> keys (TopK's <c>k</c>).</summary>
    public Func<ISparseAutoencoder, IReadOnlyDictionary<string, JsonElement>> ConfigExtra { get; init; } = _ => SaeLensMetadata.NoExtra;

    /// <summary>
    /// Builds an SAE of this architecture from a config that names it (the second argument is the config's path, for
    /// errors), on a device and dtype; its parameters are then overwritten. <see langword="null"/> for architectures SAELens
    /// folders never name (they are saved as <see cref="SavedArchitecture"/>).
    /// </summary>
    public Func<SaeLensConfig, string, Device, ScalarType, ISparseAutoencoder>? Create { get; init; }

    /// <summary>
    /// Rewrites the encoder biases of a SAELens state dict (float64 tensors by SAELens name) saved with
    /// <c>apply_b_dec_to_input = false</c> so that this library's encoder, which always subtracts <c>b_dec</c>, computes the
    /// same features.
    /// </summary>
    public Action<IDictionary<string, Tensor>> FoldDecoderBiasIntoEncoder { get; init; } = SaeLensMappings.FoldIntoEncoderBias;

    /// <summary>Whether the config asks for <see cref="Rewrite"/> (the config's path is for errors).</summary>
    public Func<SaeLensConfig, string, bool> NeedsRewrite { get; init; } = (_, _) => false;

    /// <summary>An architecture-specific rewrite of the float64 state dict into this library's form.</summary>
    public Action<IDictionary<string, Tensor>>? Rewrite { get; init; }

    /// <summary>Stores one SAELens tensor (already in its final values) into the SAE; by default, copies a parameter.</summary>
    public Action<ISparseAutoencoder, string, Tensor> Import { get; init; } = SaeLensMappings.ImportParameter;

    /// <summary>The activation function a pre-6.0 config may name besides <c>relu</c> (<c>activation_fn</c>).</summary>
    public string LegacyActivation { get; init; } = "relu";
}

/// <summary>The pieces of SAELens mappings that several architectures share.</summary>
internal static class SaeLensMappings
{
    // The SAELens encoder without the b_dec shift computes  x·W_enc + b_enc.  Since
    //   x·W_enc + b_enc = (x − b_dec)·W_enc + b_dec·W_enc + b_enc = (x − b_dec)·W_enc + (b_enc + b_dec·W_enc),
    // the shifting encoder with b_enc' = b_enc + b_dec·W_enc computes the same pre-activations for every x, hence the same
    // features; the decoder (f·W_dec + b_dec) is unchanged. TopK and JumpReLU select on (or threshold) the same
    // pre-activations, so the same fold serves them.
    public static void FoldIntoEncoderBias(IDictionary<string, Tensor> w)
    {
        using Tensor shift = matmul(w["b_dec"], w["W_enc"]);
        w["b_enc"] = Replace(w["b_enc"], w["b_enc"] + shift);
    }

    public static void ImportParameter(ISparseAutoencoder sae, string name, Tensor value)
    {
        using var _ = no_grad();
        sae.NamedParameters[name].copy_(value);
    }

    public static Dictionary<string, Tensor> ExportParameters(ISparseAutoencoder sae) =>
        sae.NamedParameters.ToDictionary(p => p.Key, p => p.Value.detach(), StringComparer.Ordinal);

    /// <summary>The parameters plus a <c>threshold</c> of <paramref name="threshold"/> for every latent (a JumpReLU folder).</summary>
    public static Dictionary<string, Tensor> ExportWithThreshold(ISparseAutoencoder sae, double threshold)
    {
        var weights = ExportParameters(sae);
        weights["threshold"] = full(sae.DSae, threshold, dtype: sae.DType, device: sae.Device);
        return weights;
    }

    /// <summary><c>cfg.json</c> keys from a JSON object literal.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Extra(string jsonObject)
    {
        using JsonDocument document = JsonDocument.Parse(jsonObject);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    public static Tensor Replace(Tensor old, Tensor replacement)
    {
        old.Dispose();
        return replacement;
    }
}
