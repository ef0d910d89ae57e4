using System.Text.Json;
using SparseDictionary.Formats;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

public static partial class HuggingFaceCheckpoint
{
    /// <summary>The name of the llama2.c tokenizer that <see cref="Save"/> may write beside the weights.</summary>
    public const string TokenizerFileName = "tokenizer.bin";

    /// <summary>The name of the SentencePiece tokenizer that <see cref="Save"/> may write beside the weights, as Llama-2's folders hold it.</summary>
    public const string SentencePieceFileName = "tokenizer.model";

    /// <summary>
    /// Writes <paramref name="model"/> as a Hugging Face <c>LlamaForCausalLM</c> folder (<c>config.json</c> and
    /// <c>model.safetensors</c>; when a vocabulary is given, <c>tokenizer.bin</c> and, if SentencePiece can hold it (see
    /// <see cref="SentencePieceModelWriter.CanWrite"/>), <c>tokenizer.model</c>) that <see cref="Load"/>,
    /// <see cref="ModelTokenizer.Load"/> and transformers read. The folder is written beside its path and renamed into place, replacing any folder there, so
    /// that readers never see a partial checkpoint.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="folder">The checkpoint folder to create or replace.</param>
    /// <param name="weightDType">The element type to store the weights in; the model's when <see langword="null"/>.</param>
    /// <param name="tokenizer">A vocabulary to write as llama2.c's <c>tokenizer.bin</c> and SentencePiece's <c>tokenizer.model</c>; none when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The vocabulary's size differs from the model's.</exception>
    public static void Save(LlamaModel model, string folder, ScalarType? weightDType = null, BpeVocabulary? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (tokenizer is not null && tokenizer.Count != model.Config.VocabSize)
        {
            throw new ArgumentException($"The vocabulary has {tokenizer.Count} tokens, the model {model.Config.VocabSize}.", nameof(tokenizer));
        }
        ScalarType dtype = weightDType ?? model.DType;
        if (!ConfigDTypeNames.TryGetValue(dtype, out string? dtypeName))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDType), dtype, "The weights must be stored as float32, float16, bfloat16 or float64.");
        }
        AtomicDirectory.Write(folder, temp =>
        {
            File.WriteAllBytes(Path.Combine(temp, ConfigFileName), ConfigJson(model.Config, dtypeName));
            using (DisposeScope scope = NewDisposeScope())
            using (no_grad())
            {
                var tensors = model.ParametersByName().ToDictionary(p => p.Key, p => p.Value.detach().to(dtype, CPU), StringComparer.Ordinal);
                SafeTensors.Save(Path.Combine(temp, WeightsFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
            }
            if (tokenizer is not null)
            {
                Llama2cTokenizerWriter.Save(Path.Combine(temp, TokenizerFileName), tokenizer);
                if (SentencePieceModelWriter.CanWrite(tokenizer, out _))
                {
                    SentencePieceModelWriter.Save(Path.Combine(temp, SentencePieceFileName), tokenizer);
                }
            }
        });
    }

    private static readonly Dictionary<ScalarType, string> ConfigDTypeNames = new()
    {
        [ScalarType.Float32] = "float32",
        [ScalarType.Float16] = "float16",
        [ScalarType.BFloat16] = "bfloat16",
        [ScalarType.Float64] = "float64",
    };

    // The keys of transformers' LlamaConfig, with the values that select exactly what LlamaModel computes.
    private static byte[] ConfigJson(LlamaConfig config, string dtypeName)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("architectures");
            json.WriteStringValue("LlamaForCausalLM");
            json.WriteEndArray();
            json.WriteString("model_type", "llama");
            json.WriteNumber("hidden_size", config.Dim);
            json.WriteNumber("intermediate_size", config.HiddenDim);
            json.WriteNumber("num_hidden_layers", config.LayerCount);
            json.WriteNumber("num_attention_heads", config.HeadCount);
            json.WriteNumber("num_key_value_heads", config.KvHeadCount);
            json.WriteNumber("vocab_size", config.VocabSize);
            json.WriteNumber("max_position_embeddings", config.MaxSeqLen);
            json.WriteNumber("rms_norm_eps", config.RmsNormEps);
            json.WriteNumber("rope_theta", config.RopeTheta);
            json.WriteNull("rope_scaling");
            json.WriteString("hidden_act", "silu");
            json.WriteBoolean("attention_bias", false);
            json.WriteBoolean("mlp_bias", false);
            json.WriteBoolean("tie_word_embeddings", config.TieWordEmbeddings);
            WriteTokenId(json, "bos_token_id", config.BosTokenId);
            WriteTokenId(json, "eos_token_id", config.EosTokenId);
            json.WriteString("torch_dtype", dtypeName);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteTokenId(Utf8JsonWriter json, string key, int? id)
    {
        if (id is { } value)
        {
            json.WriteNumber(key, value);
        }
        else
        {
            json.WriteNull(key);
        }
    }
}
