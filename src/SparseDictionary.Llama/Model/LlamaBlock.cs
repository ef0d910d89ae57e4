using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// One pre-norm transformer block: <c>mid = x + attn(norm₁(x))</c>, <c>post = mid + mlp(norm₂(mid))</c>, with a hook at
/// each of its five sites. Parameter names follow Hugging Face's <c>LlamaDecoderLayer</c>.
/// </summary>
internal sealed class LlamaBlock : nn.Module
{
    private readonly int _layer;
    private readonly RmsNorm _inputNorm;
    private readonly LlamaAttention _attention;
    private readonly RmsNorm _postAttentionNorm;
    private readonly LlamaMlp _mlp;

    public LlamaBlock(int layer, LlamaConfig config, ScalarType dtype, Device device)
        : base(nameof(LlamaBlock))
    {
        _layer = layer;
        _inputNorm = new RmsNorm(config.Dim, config.RmsNormEps, dtype, device);
        _attention = new LlamaAttention(config, dtype, device);
        _postAttentionNorm = new RmsNorm(config.Dim, config.RmsNormEps, dtype, device);
        _mlp = new LlamaMlp(config, dtype, device);
        register_module("input_layernorm", _inputNorm);
        register_module("self_attn", _attention);
        register_module("post_attention_layernorm", _postAttentionNorm);
        register_module("mlp", _mlp);
    }

    /// <summary>
    /// Runs the block on the residual stream <paramref name="residual"/> <c>[batch, seq, dim]</c>, passing each site's
    /// value through <paramref name="hooks"/>; returns the residual stream after the block, or <see langword="null"/> when
    /// the hooks asked to stop inside it.
    /// </summary>
    public Tensor? Forward(Tensor residual, RotaryEmbedding rotary, Tensor blocked, HookRunner hooks)
    {
        Tensor pre = hooks.Visit(new HookPoint(_layer, HookSite.ResidualPre), residual);
        if (hooks.Stopped) return null;

        Tensor attention = hooks.Visit(new HookPoint(_layer, HookSite.AttentionOut), _attention.Forward(_inputNorm.forward(pre), rotary, blocked));
        if (hooks.Stopped) return null;

        Tensor mid = hooks.Visit(new HookPoint(_layer, HookSite.ResidualMid), pre + attention);
        if (hooks.Stopped) return null;

        Tensor mlp = hooks.Visit(new HookPoint(_layer, HookSite.MlpOut), _mlp.forward(_postAttentionNorm.forward(mid)));
        if (hooks.Stopped) return null;

        return hooks.Visit(new HookPoint(_layer, HookSite.ResidualPost), mid + mlp);
    }
}
