using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// The tensors of a <c>LlamaForCausalLM</c> checkpoint, by name, with their shapes: what the loaders check a checkpoint
/// against before they allocate a model, and the names of <see cref="LlamaModel"/>'s parameters.
/// </summary>
internal static class LlamaWeightLayout
{
    public const string Embedding = "model.embed_tokens.weight";
    public const string FinalNorm = "model.norm.weight";
    public const string OutputHead = "lm_head.weight";

    /// <summary>Old checkpoints store each layer's rotary frequencies; they follow from the configuration and are ignored.</summary>
    public const string RotaryFrequenciesSuffix = "rotary_emb.inv_freq";

    /// <summary>The name of a per-layer tensor, such as <c>model.layers.3.self_attn.q_proj.weight</c>.</summary>
    public static string Layer(int layer, string tensor) => string.Create(CultureInfo.InvariantCulture, $"model.layers.{layer}.{tensor}");

    /// <summary>Every tensor the model needs, in checkpoint order; <c>lm_head.weight</c> only when the embeddings are untied.</summary>
    public static IReadOnlyDictionary<string, long[]> Expected(LlamaConfig config)
    {
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal) { [Embedding] = [config.VocabSize, config.Dim] };
        for (int l = 0; l < config.LayerCount; l++)
        {
            shapes[Layer(l, "input_layernorm.weight")] = [config.Dim];
            shapes[Layer(l, "self_attn.q_proj.weight")] = [config.Dim, config.Dim];
            shapes[Layer(l, "self_attn.k_proj.weight")] = [config.KvDim, config.Dim];
            shapes[Layer(l, "self_attn.v_proj.weight")] = [config.KvDim, config.Dim];
            shapes[Layer(l, "self_attn.o_proj.weight")] = [config.Dim, config.Dim];
            shapes[Layer(l, "post_attention_layernorm.weight")] = [config.Dim];
            shapes[Layer(l, "mlp.gate_proj.weight")] = [config.HiddenDim, config.Dim];
            shapes[Layer(l, "mlp.up_proj.weight")] = [config.HiddenDim, config.Dim];
            shapes[Layer(l, "mlp.down_proj.weight")] = [config.Dim, config.HiddenDim];
        }
        shapes[FinalNorm] = [config.Dim];
        if (!config.TieWordEmbeddings)
        {
            shapes[OutputHead] = [config.VocabSize, config.Dim];
        }
        return shapes;
    }

    /// <summary>Copies <paramref name="source"/> (any device and floating type, same shape) into <paramref name="parameter"/>.</summary>
    public static void CopyInto(Parameter parameter, Tensor source)
    {
        using IDisposable noGrad = no_grad();
        parameter.copy_(source);
    }

    public static string FormatShape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";
}
