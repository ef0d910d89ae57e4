using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// The embedding, the blocks and the final norm: Hugging Face's <c>LlamaModel</c>, registered under the name <c>model</c>
/// so that the full model's parameter names are exactly <c>LlamaForCausalLM</c>'s.
/// </summary>
internal sealed class LlamaBackbone : nn.Module
{
    public LlamaBackbone(LlamaConfig config, ScalarType dtype, Device device)
        : base(nameof(LlamaBackbone))
    {
        Embedding = new TokenEmbedding(config.VocabSize, config.Dim, dtype, device);
        Layers = new ModuleList<LlamaBlock>(Enumerable.Range(0, config.LayerCount).Select(l => new LlamaBlock(l, config, dtype, device)).ToArray());
        Norm = new RmsNorm(config.Dim, config.RmsNormEps, dtype, device);
        register_module("embed_tokens", Embedding);
        register_module("layers", Layers);
        register_module("norm", Norm);
    }

    public TokenEmbedding Embedding { get; }

    public ModuleList<LlamaBlock> Layers { get; }

    public RmsNorm Norm { get; }
}
