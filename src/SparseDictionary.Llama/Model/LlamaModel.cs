using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// A Llama-2-architecture decoder-only language model (Hugging Face's <c>LlamaForCausalLM</c>), for batched full-sequence
/// forward passes with hook points where activations can be read or replaced.
/// </summary>
/// <remarks>
/// <para>
/// Parameter names are <c>LlamaForCausalLM</c>'s (<c>model.layers.0.self_attn.q_proj.weight</c>, …), and the rotary
/// embeddings use its <c>rotate_half</c> convention. Weights are frozen (they do not require gradients); gradients still
/// flow through the model to tensors that require them, such as a replacement spliced into a hook point.
/// </para>
/// <para>
/// The weights are in the element type the model was created with; the RMSNorm statistics, the rotary angles and the
/// attention softmax are computed in float32 whatever that type is. A new model has zero weights (and unit norm gains):
/// load it with <see cref="HuggingFaceCheckpoint"/> or <see cref="Llama2cCheckpoint"/>.
/// </para>
/// </remarks>
public sealed class LlamaModel : nn.Module<Tensor, Tensor>
{
    private readonly LlamaBackbone _backbone;
    private readonly LinearWeight? _outputHead;

    /// <summary>Creates a model with zero weights and unit norm gains.</summary>
    /// <param name="config">The model's shape.</param>
    /// <param name="dtype">The element type of the weights: float32, bfloat16, float16 or float64.</param>
    /// <param name="device">The device of the weights; the CPU when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a floating-point type.</exception>
    public LlamaModel(LlamaConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null)
        : base(nameof(LlamaModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!is_floating_point(dtype) || is_complex(dtype))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "The model's weights must have a real floating-point type.");
        }
        Config = config;
        DType = dtype;
        Device = device ?? CPU;
        _backbone = new LlamaBackbone(config, dtype, Device);
        register_module("model", _backbone);
        if (!config.TieWordEmbeddings)
        {
            _outputHead = new LinearWeight(config.Dim, config.VocabSize, dtype, Device);
            register_module("lm_head", _outputHead);
        }
    }

    /// <summary>Gets the model's shape.</summary>
    public LlamaConfig Config { get; }

    /// <summary>Gets the element type of the weights.</summary>
    public ScalarType DType { get; }

    /// <summary>Gets the device of the weights.</summary>
    public Device Device { get; }

    /// <summary>Computes the logits for a batch of token sequences, with no hooks and no padding mask.</summary>
    /// <param name="input">Token ids <c>[batch, seq]</c>, int64 or int32.</param>
    /// <returns>The logits <c>[batch, seq, vocab]</c> in the model's element type; the caller owns them.</returns>
    public override Tensor forward(Tensor input) => Forward(input).Logits!;

    /// <summary>Runs the model on a batch of token sequences, reading and replacing activations at hook points.</summary>
    /// <param name="tokens">Token ids <c>[batch, seq]</c>, int64 or int32, each below the vocabulary size; <c>seq</c> ≤ <see cref="LlamaConfig.MaxSeqLen"/>.</param>
    /// <param name="attentionMask">
    /// Optional <c>[batch, seq]</c> mask, non-zero for real tokens and zero for padding, for batching documents of different
    /// lengths padded on the right: no query attends to a padded key. Outputs at padded positions are meaningless; the
    /// outputs at real positions equal those of the unpadded document run alone.
    /// </param>
    /// <param name="options">What to capture and replace, and whether to stop early; none when <see langword="null"/>.</param>
    /// <returns>The logits (unless the pass stopped early) and the captured values; the caller owns them.</returns>
    /// <exception cref="ArgumentException">The tokens, the mask or the options do not fit the model.</exception>
    /// <exception cref="InvalidOperationException">A replacement returned null or a tensor of the wrong shape.</exception>
    public LlamaForwardResult Forward(Tensor tokens, Tensor? attentionMask = null, LlamaForwardOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        using DisposeScope scope = NewDisposeScope();
        HookRunner hooks = HookRunner.Create(options, Config.LayerCount, scope);
        Tensor ids = TokenInput.Validate(tokens, attentionMask, Config, Device);
        long seqLen = ids.shape[1];
        Tensor blocked = AttentionMask.Blocked(attentionMask, seqLen, Device);
        var rotary = RotaryEmbedding.Create(seqLen, Config.HeadDim, Config.RopeTheta, DType, Device);

        Tensor residual = _backbone.Embedding.forward(ids);
        for (int layer = 0; layer < Config.LayerCount && !hooks.Stopped; layer++)
        {
            Tensor? next;
            // Each block's temporaries are freed as soon as it ends: a 7B model would otherwise hold every layer's.
            using (NewDisposeScope())
            {
                next = _backbone.Layers[layer].Forward(residual, rotary, blocked, hooks)?.alias().MoveToOuterDisposeScope();
            }
            if (next is null)
            {
                break;
            }
            residual.Dispose();
            residual = next;
        }

        Tensor? logits = hooks.Stopped ? null : Unembed(NormalizeFinal(residual)).MoveToOuterDisposeScope();
        return new LlamaForwardResult(logits, hooks.TakeCaptured());
    }

    /// <summary>Applies the final RMSNorm to a residual stream <c>[…, dim]</c>, as the model does after its last block.</summary>
    /// <param name="residual">The residual stream, in the model's element type.</param>
    /// <returns>The normalised stream; the caller owns it.</returns>
    public Tensor NormalizeFinal(Tensor residual)
    {
        ArgumentNullException.ThrowIfNull(residual);
        return _backbone.Norm.forward(residual);
    }

    /// <summary>Applies the output head to a normalised stream <c>[…, dim]</c>, giving logits <c>[…, vocab]</c>.</summary>
    /// <param name="normalized">The output of <see cref="NormalizeFinal"/>, in the model's element type.</param>
    /// <returns>The logits; the caller owns them.</returns>
    public Tensor Unembed(Tensor normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        return _outputHead is null
            ? nn.functional.linear(normalized, _backbone.Embedding.Weight)
            : _outputHead.forward(normalized);
    }

    /// <summary>
    /// Makes every weight require gradients, for <see cref="LanguageModelTrainer"/>: the model is otherwise an inference
    /// model whose weights autograd ignores (see <see cref="FrozenParameter"/>).
    /// </summary>
    internal void EnableTraining()
    {
        foreach (Parameter parameter in parameters())
        {
            parameter.requires_grad = true;
        }
    }

    /// <summary>Every parameter, by its <c>LlamaForCausalLM</c> name; with tied embeddings there is no <c>lm_head.weight</c>.</summary>
    internal IReadOnlyDictionary<string, Parameter> ParametersByName() =>
        named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
}
