using System.Collections.ObjectModel;
using System.Text.Json;

namespace SparseDictionary.Formats;

/// <summary>
/// What SAELens (v6 and later) keeps under the <c>"metadata"</c> key of <c>cfg.json</c>: how the SAE should be used —
/// which model and hook its activations come from — and which SAELens versions wrote and trained it.
/// </summary>
/// <remarks>
/// SAELens's <c>SAEMetadata</c> is an open bag: any key may appear. The keys this record names are typed; every other
/// key (such as <c>seqpos_slice</c>, <c>exclude_special_tokens</c> or <c>sequence_separator_token</c>) is kept, value
/// and order, in <see cref="Extra"/>, so a folder read and written again keeps them. A <see langword="null"/> property
/// stands both for a key that is absent and for one whose value is JSON <c>null</c>, as SAELens's
/// <c>metadata.get(key)</c> does.
/// </remarks>
public sealed record SaeLensMetadata
{
    /// <summary>An empty bag, the default of <see cref="Extra"/>.</summary>
    public static IReadOnlyDictionary<string, JsonElement> NoExtra { get; } =
        new ReadOnlyDictionary<string, JsonElement>(new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal));

    /// <summary><c>model_name</c>: the TransformerLens name of the model, such as <c>gpt2-small</c>.</summary>
    public string? ModelName { get; init; }

    /// <summary><c>hook_name</c>: the hook point the SAE reads, such as <c>blocks.8.hook_resid_pre</c>.</summary>
    public string? HookName { get; init; }

    /// <summary><c>hook_head_index</c>: the attention head the activations were restricted to, if any.</summary>
    public int? HookHeadIndex { get; init; }

    /// <summary><c>model_class_name</c>: the model wrapper class SAELens loads (such as <c>HookedTransformer</c>).</summary>
    public string? ModelClassName { get; init; }

    /// <summary><c>prepend_bos</c>: whether prompts started with a BOS token during training.</summary>
    public bool? PrependBos { get; init; }

    /// <summary><c>context_size</c>: the training context length in tokens.</summary>
    public int? ContextSize { get; init; }

    /// <summary><c>dataset_path</c>: the dataset the activations were drawn from (a Hugging Face path).</summary>
    public string? DatasetPath { get; init; }

    /// <summary>
    /// <c>model_from_pretrained_kwargs</c>: keyword arguments the model must be loaded with (for instance
    /// <c>{"center_writing_weights": false}</c>). Written as <c>{}</c> when <see langword="null"/>, as SAELens does.
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement>? ModelFromPretrainedKwargs { get; init; }

    /// <summary><c>neuronpedia_id</c>: the SAE's Neuronpedia identifier, if published there.</summary>
    public string? NeuronpediaId { get; init; }

    /// <summary>
    /// <c>sae_lens_version</c>: the SAELens format version of the file. <see cref="SaeLensFolder.Save"/> writes this value
    /// when it is 6.0.0 or later and <see cref="SaeLensFolder.FormatVersion"/> otherwise.
    /// </summary>
    public string? SaeLensVersion { get; init; }

    /// <summary>
    /// <c>sae_lens_training_version</c>: the SAELens version that trained the SAE; <see langword="null"/> (written as JSON
    /// <c>null</c>) for SAEs SAELens did not train, as SAELens itself records for converted third-party SAEs.
    /// </summary>
    public string? SaeLensTrainingVersion { get; init; }

    /// <summary>Every other metadata key, in file order, with its JSON value.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = NoExtra;
}
