using System.Text.Encodings.Web;
using System.Text.Json;
using SparseDictionary.Autoencoders;
using System.Text.RegularExpressions;

namespace SparseDictionary.Formats;

/// <summary>Reads and writes SAELens's <c>cfg.json</c>.</summary>
/// <remarks>
/// Mirrors SAELens 6.x: <c>SAEConfig.to_dict</c> (sae_lens/saes/sae.py) for the layout, and <c>handle_config_defaulting</c> /
/// <c>handle_pre_6_0_config</c> (sae_lens/loading/pretrained_sae_loaders.py) for telling and converting pre-6.0 files.
/// </remarks>
internal static partial class SaeLensConfigJson
{
    /// <summary>Nesting limit of the JSON parser; SAELens configs nest three levels deep.</summary>
    public const int MaxDepth = 64;

    /// <summary>Largest <c>cfg.json</c> read; real ones are a few kilobytes.</summary>
    public const long MaxFileBytes = 16L << 20;

    /// <summary>The values SAELens's <c>SAEConfig.__post_init__</c> accepts.</summary>
    public static readonly string[] NormalizeActivationsValues = ["none", "expected_average_only_in", "constant_norm_rescale", "layer_norm"];

    /// <summary>The values of SAELens's <c>reshape_activations</c> literal.</summary>
    public static readonly string[] ReshapeActivationsValues = ["none", "hook_z"];

    // pre-6.0 name → 6.0 name (handle_pre_6_0_config's rename_keys_map).
    private static readonly Dictionary<string, string> LegacyRenames = new(StringComparer.Ordinal)
    {
        ["hook_point"] = "hook_name",
        ["hook_point_head_index"] = "hook_head_index",
        ["activation_fn_str"] = "activation_fn",
    };

    // LLM_METADATA_KEYS: the flat keys handle_pre_6_0_config moves under "metadata".
    private static readonly HashSet<string> LegacyMetadataKeys = new(StringComparer.Ordinal)
    {
        "model_name", "hook_name", "model_class_name", "hook_head_index", "model_from_pretrained_kwargs", "prepend_bos",
        "exclude_special_tokens", "neuronpedia_id", "context_size", "seqpos_slice", "dataset_path", "sae_lens_version",
        "sae_lens_training_version", "hook_name_out", "hook_head_index_out",
    };

    private static readonly string[] TypedMetadataKeys =
    [
        "sae_lens_version", "sae_lens_training_version", "dataset_path", "hook_name", "model_name", "model_class_name",
        "hook_head_index", "context_size", "model_from_pretrained_kwargs", "prepend_bos", "neuronpedia_id",
    ];

    private static readonly string[] TypedTopLevelKeys =
    [
        "d_in", "d_sae", "dtype", "device", "apply_b_dec_to_input", "normalize_activations", "reshape_activations", "metadata", "architecture",
    ];

    public static SaeLensConfig Read(string path)
    {
        byte[] bytes = ReadBytes(path);
        JsonDocument document;
        try
        {
            document = StrictJson.Parse(bytes, MaxDepth);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw SaeFormatException.ForFile(path, $"the file is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var fields = new JsonObjectReader(document.RootElement, path, SaeFormatException.ForJson);
            return IsV6(fields) ? ReadV6(fields) : ReadLegacy(fields);
        }
    }

    public static byte[] Write(SaeLensConfig config)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            // Keeps non-ASCII text and characters such as '+' readable; the file is never embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            // SAEConfig.to_dict's order: the dataclass fields, then "architecture".
            writer.WriteStartObject();
            writer.WriteNumber("d_in", config.DIn);
            writer.WriteNumber("d_sae", config.DSae);
            writer.WriteString("dtype", config.DType);
            writer.WriteString("device", config.Device);
            writer.WriteBoolean("apply_b_dec_to_input", config.ApplyBDecToInput);
            writer.WriteString("normalize_activations", config.NormalizeActivations);
            writer.WriteString("reshape_activations", config.ReshapeActivations);
            writer.WritePropertyName("metadata");
            WriteMetadata(writer, config.Metadata);
            writer.WriteString("architecture", config.Architecture);
            WriteExtra(writer, config.Extra, TypedTopLevelKeys, "Extra");
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// Whether <paramref name="version"/> (PEP 440) is at least 6.0.0-rc.0, the threshold of SAELens's
    /// <c>handle_config_defaulting</c>; <see langword="null"/> when it is not a version.
    /// </summary>
    public static bool? IsAtLeastV6(string version)
    {
        Match match = VersionPattern().Match(version);
        if (!match.Success) return null;
        int[] release = match.Groups["release"].Value.Split('.').Select(p => int.TryParse(p, out int n) ? n : int.MaxValue).ToArray();
        if (release[0] != 6) return release[0] > 6;
        if (release.Skip(1).Any(n => n > 0)) return true;
        // 6.0.0 itself: rc and later pre-releases, the release, post-releases and local versions are ≥ 6.0.0-rc.0;
        // alpha, beta and dev releases come before it.
        string pre = match.Groups["pre"].Value.ToLowerInvariant();
        return pre is "rc" or "c" or "pre" or "preview" || (pre == "" && !match.Groups["dev"].Success);
    }

    private static bool IsV6(JsonObjectReader fields)
    {
        // handle_config_defaulting: a top-level sae_lens_version first, then metadata.sae_lens_version; none (or an
        // empty one) means a pre-6.0 file.
        if (fields.Peek("metadata") is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) } bad)
        {
            throw fields.Error("metadata", $"expected an object, found {StrictJson.Describe(bad)}.");
        }
        string key = "sae_lens_version";
        JsonElement? version = fields.Peek(key);
        if (version is { ValueKind: not (JsonValueKind.Null or JsonValueKind.String) })
        {
            throw fields.Error(key, $"expected a string, found {StrictJson.Describe(version.Value)}.");
        }
        if (version?.GetString() is null or "")
        {
            key = "metadata.sae_lens_version";
            version = null;
            if (fields.Peek("metadata") is { ValueKind: JsonValueKind.Object } metadata && metadata.TryGetProperty("sae_lens_version", out JsonElement nested))
            {
                if (nested.ValueKind is not (JsonValueKind.Null or JsonValueKind.String))
                {
                    throw fields.Error(key, $"expected a string, found {StrictJson.Describe(nested)}.");
                }
                version = nested;
            }
        }
        string? text = version?.GetString();
        if (string.IsNullOrEmpty(text)) return false;
        return IsAtLeastV6(text) ?? throw fields.Error(key, $"'{text}' is not a version number.");
    }

    private static SaeLensConfig ReadV6(JsonObjectReader fields)
    {
        JsonObjectReader? metadata = fields.OptionalObject("metadata");
        return new SaeLensConfig
        {
            Architecture = fields.RequireString("architecture"),
            DIn = fields.RequireInt("d_in", min: 1),
            DSae = fields.RequireInt("d_sae", min: 1),
            DType = ReadDType(fields),
            Device = fields.String("device", "cpu"),
            ApplyBDecToInput = fields.Bool("apply_b_dec_to_input", true),
            NormalizeActivations = OneOf(fields, "normalize_activations", fields.String("normalize_activations", "none"), NormalizeActivationsValues),
            ReshapeActivations = OneOf(fields, "reshape_activations", fields.String("reshape_activations", "none"), ReshapeActivationsValues),
            Metadata = metadata is null ? new SaeLensMetadata() : ReadMetadata(metadata),
            Extra = fields.Rest(),
            IsLegacyFormat = false,
        };
    }

    private static SaeLensConfig ReadLegacy(JsonObjectReader original)
    {
        JsonObjectReader fields = original.Renamed(LegacyRenames);
        string architecture = fields.Contains("architecture") ? fields.RequireString("architecture") : StandardArchitecture.ArchitectureName;
        // An old TopK SAE is a "standard" one whose activation function is topk (handle_pre_6_0_config), with its k in
        // activation_fn_kwargs; SAELens copies that k to the top level.
        JsonElement? legacyK = null;
        if (fields.Take("activation_fn") is { ValueKind: JsonValueKind.String } activation && activation.GetString() == TopKArchitecture.LegacyActivationName
            && fields.Take("activation_fn_kwargs") is { ValueKind: JsonValueKind.Object } kwargs
            && kwargs.TryGetProperty("k", out JsonElement k) && k.ValueKind != JsonValueKind.Null)
        {
            architecture = TopKArchitecture.ArchitectureName;
            legacyK = k.Clone();
        }

        string normalize = fields.Take("normalize_activations") switch
        {
            null or { ValueKind: JsonValueKind.Null } => "none",
            { ValueKind: JsonValueKind.False } => "none",
            { ValueKind: JsonValueKind.True } => "expected_average_only_in",
            { ValueKind: JsonValueKind.String } s => OneOf(fields, "normalize_activations", s.GetString()!, NormalizeActivationsValues),
            { } other => throw fields.Error("normalize_activations", $"expected a string or a boolean, found {StrictJson.Describe(other)}."),
        };

        string? hookName = fields.Contains("hook_name") && fields.Take("hook_name") is { ValueKind: JsonValueKind.String } hook ? hook.GetString() : null;
        string reshape = fields.Contains("reshape_activations")
            ? OneOf(fields, "reshape_activations", fields.String("reshape_activations", "none"), ReshapeActivationsValues)
            : hookName?.Contains("hook_z", StringComparison.Ordinal) == true ? "hook_z" : "none";

        var config = new SaeLensConfig
        {
            Architecture = architecture,
            DIn = fields.RequireInt("d_in", min: 1),
            DSae = fields.RequireInt("d_sae", min: 1),
            DType = ReadDType(fields),
            Device = fields.String("device", "cpu"),
            ApplyBDecToInput = fields.Bool("apply_b_dec_to_input", true),
            NormalizeActivations = normalize,
            ReshapeActivations = reshape,
            IsLegacyFormat = true,
        };

        // The flat keys SAELens keeps as metadata become it; the rest stay at the top level. Keys consumed above by
        // Take() are skipped by Rest(), so look at everything again.
        var metadataValues = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        var extra = new OrderedDictionary<string, JsonElement>(StringComparer.Ordinal);
        string[] consumed = ["architecture", "d_in", "d_sae", "dtype", "device", "apply_b_dec_to_input", "normalize_activations", "reshape_activations"];
        foreach ((string key, JsonElement value) in fields.All())
        {
            if (LegacyMetadataKeys.Contains(key)) metadataValues.Add(key, value);
            else if (!consumed.Contains(key)) extra.Add(key, value);
        }
        if (legacyK is { } topK) extra["k"] = topK;
        var metadata = ReadMetadata(fields.WithValues(metadataValues));
        // handle_pre_6_0_config's defaults for the keys that end up in metadata.
        metadata = metadata with { PrependBos = metadataValues.ContainsKey("prepend_bos") ? metadata.PrependBos : true };
        return config with { Metadata = metadata, Extra = new System.Collections.ObjectModel.ReadOnlyDictionary<string, JsonElement>(extra) };
    }

    private static SaeLensMetadata ReadMetadata(JsonObjectReader fields)
    {
        JsonObjectReader? kwargs = fields.OptionalObject("model_from_pretrained_kwargs");
        return new SaeLensMetadata
        {
            SaeLensVersion = fields.OptionalString("sae_lens_version"),
            SaeLensTrainingVersion = fields.OptionalString("sae_lens_training_version"),
            DatasetPath = fields.OptionalString("dataset_path"),
            HookName = fields.OptionalString("hook_name"),
            ModelName = fields.OptionalString("model_name"),
            ModelClassName = fields.OptionalString("model_class_name"),
            HookHeadIndex = fields.OptionalInt("hook_head_index"),
            ContextSize = fields.OptionalInt("context_size"),
            ModelFromPretrainedKwargs = kwargs?.All(),
            PrependBos = fields.OptionalBool("prepend_bos"),
            NeuronpediaId = fields.OptionalString("neuronpedia_id"),
            Extra = fields.Rest(),
        };
    }

    private static void WriteMetadata(Utf8JsonWriter writer, SaeLensMetadata metadata)
    {
        // The order of a metadata block SAELens's training runner writes.
        writer.WriteStartObject();
        writer.WriteString("sae_lens_version", metadata.SaeLensVersion);
        writer.WriteString("sae_lens_training_version", metadata.SaeLensTrainingVersion);
        writer.WriteString("dataset_path", metadata.DatasetPath);
        writer.WriteString("hook_name", metadata.HookName);
        writer.WriteString("model_name", metadata.ModelName);
        if (metadata.ModelClassName is not null) writer.WriteString("model_class_name", metadata.ModelClassName);
        WriteNullableNumber(writer, "hook_head_index", metadata.HookHeadIndex);
        WriteNullableNumber(writer, "context_size", metadata.ContextSize);
        writer.WritePropertyName("model_from_pretrained_kwargs");
        writer.WriteStartObject();
        WriteExtra(writer, metadata.ModelFromPretrainedKwargs ?? SaeLensMetadata.NoExtra, [], "ModelFromPretrainedKwargs");
        writer.WriteEndObject();
        if (metadata.PrependBos is { } prependBos) writer.WriteBoolean("prepend_bos", prependBos);
        else writer.WriteNull("prepend_bos");
        if (metadata.NeuronpediaId is not null) writer.WriteString("neuronpedia_id", metadata.NeuronpediaId);
        WriteExtra(writer, metadata.Extra, TypedMetadataKeys, "Metadata.Extra");
        writer.WriteEndObject();
    }

    private static void WriteNullableNumber(Utf8JsonWriter writer, string key, int? value)
    {
        if (value is { } number) writer.WriteNumber(key, number);
        else writer.WriteNull(key);
    }

    private static void WriteExtra(Utf8JsonWriter writer, IReadOnlyDictionary<string, JsonElement> extra, string[] reserved, string what)
    {
        foreach ((string key, JsonElement value) in extra)
        {
            if (reserved.Contains(key))
            {
                throw new ArgumentException($"{what} holds '{key}', which has its own property; set that instead.", "metadata");
            }
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                throw new ArgumentException($"{what}['{key}'] is an undefined JsonElement.", "metadata");
            }
            writer.WritePropertyName(key);
            value.WriteTo(writer);
        }
    }

    private static string ReadDType(JsonObjectReader fields)
    {
        string dtype = fields.String("dtype", "float32");
        return SaeLensDTypes.TryParse(dtype, out _)
            ? dtype
            : throw fields.Error("dtype", $"'{dtype}' is not a dtype SAELens knows (float32, float64, float16, bfloat16, optionally prefixed with 'torch.').");
    }

    private static string OneOf(JsonObjectReader fields, string key, string value, string[] allowed) =>
        allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw fields.Error(key, $"'{value}' is not one of {string.Join(", ", allowed)}.");

    private static byte[] ReadBytes(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxFileBytes)
            {
                throw SaeFormatException.ForFile(path, $"the file is {stream.Length} bytes long; a cfg.json over {MaxFileBytes} bytes is not plausible.");
            }
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (FileNotFoundException e)
        {
            throw SaeFormatException.ForFile(path, "the file is missing.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SaeFormatException.ForFile(path, $"the file cannot be read: {e.Message}", e);
        }
    }

    // PEP 440, loosely: release numbers, then an optional pre-release, post-release, dev release and local label.
    [GeneratedRegex(@"^\s*v?(?<release>\d+(?:\.\d+)*)(?:[-_.]?(?<pre>a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?(?:[-_.]?(?:post|rev|r)[-_.]?\d*|-\d+)?(?<dev>[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
