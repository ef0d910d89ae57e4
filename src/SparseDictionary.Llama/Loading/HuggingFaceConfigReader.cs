using SparseDictionary.Formats;
using System.Text.Json;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>Reads a Hugging Face <c>config.json</c> of a <c>LlamaForCausalLM</c> into a <see cref="LlamaConfig"/>.</summary>
/// <remarks>
/// Defaults follow transformers' <c>LlamaConfig</c> where the task allows one (key/value heads = query heads, θ = 10000, untied
/// embeddings, BOS 1, EOS 2); the shape and the norm ε are required. Keys that would change the computation in ways this
/// model does not implement (RoPE scaling, biases, another activation or head width) are rejected rather than ignored.
/// </remarks>
internal static class HuggingFaceConfigReader
{
    // LlamaConfig's constructor parameters → the config.json keys they come from, to name the key in cross-field errors.
    private static readonly Dictionary<string, string> KeyOfParameter = new(StringComparer.Ordinal)
    {
        ["dim"] = "hidden_size",
        ["hiddenDim"] = "intermediate_size",
        ["layerCount"] = "num_hidden_layers",
        ["headCount"] = "num_attention_heads",
        ["kvHeadCount"] = "num_key_value_heads",
        ["vocabSize"] = "vocab_size",
        ["maxSeqLen"] = "max_position_embeddings",
        ["rmsNormEps"] = "rms_norm_eps",
        ["ropeTheta"] = "rope_theta",
        ["bosTokenId"] = "bos_token_id",
        ["eosTokenId"] = "eos_token_id",
    };

    private static readonly Dictionary<string, ScalarType> DTypes = new(StringComparer.Ordinal)
    {
        ["float32"] = ScalarType.Float32,
        ["float16"] = ScalarType.Float16,
        ["bfloat16"] = ScalarType.BFloat16,
        ["float64"] = ScalarType.Float64,
    };

    /// <exception cref="ModelFormatException">The file is missing or malformed, or describes a model this library cannot run.</exception>
    public static LlamaConfig Read(string path)
    {
        using JsonDocument document = JsonFile.ReadObject(path);
        var fields = new JsonObjectReader(document.RootElement, path, ModelFormatException.ForJson);
        RejectUnsupported(fields);

        int dim = fields.RequireInt("hidden_size", min: 1);
        int hiddenDim = fields.RequireInt("intermediate_size", min: 1);
        int layers = fields.RequireInt("num_hidden_layers", min: 1);
        int heads = fields.RequireInt("num_attention_heads", min: 1);
        int kvHeads = fields.OptionalInt("num_key_value_heads", min: 1) ?? heads;
        int vocab = fields.RequireInt("vocab_size", min: 1);
        int maxSeqLen = fields.RequireInt("max_position_embeddings", min: 1);
        double eps = fields.RequirePositiveDouble("rms_norm_eps");
        double theta = fields.OptionalPositiveDouble("rope_theta") ?? 10000;
        bool tied = fields.OptionalBool("tie_word_embeddings") ?? false;
        int? bos = TokenId(fields, "bos_token_id", 1);
        int? eos = TokenId(fields, "eos_token_id", 2);
        ScalarType? dtype = ReadDType(fields);

        if (fields.Peek("head_dim") is { ValueKind: not JsonValueKind.Null } headDim
            && !(headDim.TryGetInt32(out int declared) && declared * heads == dim))
        {
            throw fields.Error("head_dim", $"only head_dim = hidden_size / num_attention_heads = {(double)dim / heads} is supported, found {StrictJson.Describe(headDim)}.");
        }

        try
        {
            return new LlamaConfig(dim, hiddenDim, layers, heads, kvHeads, vocab, maxSeqLen, eps, theta, tied, bos, eos, dtype);
        }
        catch (ArgumentException e)
        {
            string key = e.ParamName is { } name && KeyOfParameter.TryGetValue(name, out string? mapped) ? mapped : e.ParamName ?? "?";
            throw ModelFormatException.ForField(path, key, e.Message, e);
        }
    }

    private static void RejectUnsupported(JsonObjectReader fields)
    {
        if (fields.Peek("rope_scaling") is { ValueKind: not JsonValueKind.Null } scaling)
        {
            throw fields.Error("rope_scaling", $"RoPE scaling is not supported (only plain rotary embeddings are implemented); expected null, found {StrictJson.Describe(scaling)}.");
        }
        if (fields.OptionalString("model_type") is { } modelType && modelType != "llama")
        {
            throw fields.Error("model_type", $"expected \"llama\", found \"{modelType}\".");
        }
        if (fields.OptionalString("hidden_act") is { } activation && activation != "silu")
        {
            throw fields.Error("hidden_act", $"only the \"silu\" activation is supported, found \"{activation}\".");
        }
        foreach (string key in (string[])["attention_bias", "mlp_bias"])
        {
            if (fields.OptionalBool(key) == true)
            {
                throw fields.Error(key, "projection biases are not supported.");
            }
        }
    }

    /// <summary>
    /// A token id: <paramref name="fallback"/> when the key is absent, <see langword="null"/> for JSON null, the first
    /// element of a list (newer configurations list several end-of-sequence ids).
    /// </summary>
    private static int? TokenId(JsonObjectReader fields, string key, int? fallback)
    {
        if (fields.Take(key) is not { } value) return fallback;
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.Array)
        {
            if (value.GetArrayLength() == 0) throw fields.Error(key, "expected a token id or a non-empty list of them, found an empty list.");
            value = value[0];
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int id) && id >= 0
            ? id
            : throw fields.Error(key, $"expected a non-negative integer token id, found {StrictJson.Describe(value)}.");
    }

    // transformers wrote "torch_dtype" until 4.56 and "dtype" since.
    private static ScalarType? ReadDType(JsonObjectReader fields)
    {
        string key = fields.Contains("dtype") ? "dtype" : "torch_dtype";
        if (fields.OptionalString(key) is not { } name)
        {
            return null;
        }
        return DTypes.TryGetValue(name, out ScalarType dtype)
            ? dtype
            : throw fields.Error(key, $"expected one of {string.Join(", ", DTypes.Keys)}, found \"{name}\".");
    }
}
