using System.Text.Json;

namespace SparseDictionary.Formats;

/// <summary>
/// The contents of a SAELens <c>cfg.json</c>, in SAELens v6's shape (older flat files are converted on reading, as
/// SAELens's <c>handle_pre_6_0_config</c> does).
/// </summary>
public sealed record SaeLensConfig
{
    /// <summary><c>architecture</c>: <c>standard</c>, <c>gated</c>, or another SAELens architecture name.</summary>
    public required string Architecture { get; init; }

    /// <summary><c>d_in</c>: the input width.</summary>
    public required int DIn { get; init; }

    /// <summary><c>d_sae</c>: the number of latents.</summary>
    public required int DSae { get; init; }

    /// <summary>
    /// <c>dtype</c>: the parameters' element type as SAELens spells it: <c>float32</c>, <c>float64</c>, <c>float16</c> or
    /// <c>bfloat16</c>, possibly prefixed with <c>torch.</c> in files SAELens wrote after a <c>.to(dtype)</c>.
    /// </summary>
    public string DType { get; init; } = "float32";

    /// <summary><c>device</c>: the device the SAE was on when saved. Informational: loaders choose the device.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// <c>apply_b_dec_to_input</c>: whether the encoder subtracts <c>b_dec</c> from its input. Architectures here always do;
    /// <see cref="SaeLensFolder.Load"/> folds a <see langword="false"/> into the encoder biases.
    /// </summary>
    public bool ApplyBDecToInput { get; init; } = true;

    /// <summary>
    /// <c>normalize_activations</c>: <c>none</c>, <c>expected_average_only_in</c>, <c>constant_norm_rescale</c> or
    /// <c>layer_norm</c>. Legacy boolean values are converted as SAELens does (false → <c>none</c>, true →
    /// <c>expected_average_only_in</c>).
    /// </summary>
    public string NormalizeActivations { get; init; } = "none";

    /// <summary>
    /// <c>reshape_activations</c>: <c>none</c>, or <c>hook_z</c> when SAELens flattens <c>[..., n_heads, d_head]</c>
    /// attention outputs to <c>d_in</c> before encoding. The weights are the same either way; callers of this library
    /// pass flattened activations.
    /// </summary>
    public string ReshapeActivations { get; init; } = "none";

    /// <summary><c>metadata</c>: how the SAE should be used, and which SAELens versions wrote and trained it.</summary>
    public SaeLensMetadata Metadata { get; init; } = new();

    /// <summary>
    /// Every other top-level key, in file order, with its JSON value: architecture-specific settings (such as TopK's
    /// <c>k</c>) and, for legacy files, the keys SAELens v6 drops (such as <c>hook_layer</c> or
    /// <c>activation_fn_kwargs</c>).
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = SaeLensMetadata.NoExtra;

    /// <summary>
    /// Whether the file was in the pre-6.0 flat layout (model and hook keys at the top level, no SAELens version of 6.0.0
    /// or later) and was converted on reading.
    /// </summary>
    public bool IsLegacyFormat { get; init; }
}
