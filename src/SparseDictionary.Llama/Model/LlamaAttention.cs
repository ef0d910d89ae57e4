using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// Causal multi-head self-attention with rotary embeddings and grouped-query attention: query head <c>h</c> reads key/value
/// head <c>h / (heads / kv_heads)</c>. Parameter names follow Hugging Face's <c>LlamaAttention</c>.
/// </summary>
internal sealed class LlamaAttention : nn.Module
{
    private readonly LinearWeight _queryProjection;
    private readonly LinearWeight _keyProjection;
    private readonly LinearWeight _valueProjection;
    private readonly LinearWeight _outputProjection;
    private readonly int _headCount;
    private readonly int _kvHeadCount;
    private readonly int _headDim;
    private readonly double _scale;

    public LlamaAttention(LlamaConfig config, ScalarType dtype, Device device)
        : base(nameof(LlamaAttention))
    {
        _headCount = config.HeadCount;
        _kvHeadCount = config.KvHeadCount;
        _headDim = config.HeadDim;
        _scale = 1 / Math.Sqrt(config.HeadDim);
        _queryProjection = new LinearWeight(config.Dim, config.Dim, dtype, device);
        _keyProjection = new LinearWeight(config.Dim, config.KvDim, dtype, device);
        _valueProjection = new LinearWeight(config.Dim, config.KvDim, dtype, device);
        _outputProjection = new LinearWeight(config.Dim, config.Dim, dtype, device);
        register_module("q_proj", _queryProjection);
        register_module("k_proj", _keyProjection);
        register_module("v_proj", _valueProjection);
        register_module("o_proj", _outputProjection);
    }

    /// <summary>
    /// Attends over <paramref name="x"/> <c>[batch, seq, dim]</c> (already normalised) and returns the output projection
    /// <c>[batch, seq, dim]</c>.
    /// </summary>
    /// <param name="x">The normalised residual stream.</param>
    /// <param name="rotary">The rotary tables for the sequence's positions.</param>
    /// <param name="blocked">True where a query may not attend to a key: <c>[batch or 1, 1, seq, seq]</c>.</param>
    public Tensor Forward(Tensor x, RotaryEmbedding rotary, Tensor blocked)
    {
        long batch = x.shape[0], seq = x.shape[1];
        Tensor queries = rotary.Apply(SplitHeads(_queryProjection.forward(x), _headCount));
        Tensor keys = rotary.Apply(SplitHeads(_keyProjection.forward(x), _kvHeadCount));
        Tensor values = SplitHeads(_valueProjection.forward(x), _kvHeadCount);
        if (_headCount != _kvHeadCount)
        {
            // Each key/value head serves a run of consecutive query heads, as Hugging Face's repeat_kv lays them out.
            int repeats = _headCount / _kvHeadCount;
            keys = keys.repeat_interleave(repeats, dim: 1);
            values = values.repeat_interleave(repeats, dim: 1);
        }

        // Scores and softmax in float32: half-precision exponentials lose the small probabilities.
        Tensor scores = queries.matmul(keys.transpose(-2, -1)).to(ScalarType.Float32) * _scale;
        Tensor probabilities = nn.functional.softmax(scores.masked_fill(blocked, double.NegativeInfinity), -1)
            // A query whose every key is blocked (a padding position with no real token before it) gets NaN from the
            // softmax of an all −∞ row; zeroing blocked entries turns those rows into zeros and leaves the others as they are.
            .masked_fill(blocked, 0)
            .to(x.dtype);
        Tensor heads = probabilities.matmul(values);
        return _outputProjection.forward(heads.transpose(1, 2).reshape(batch, seq, _headCount * _headDim));
    }

    // [batch, seq, heads · head_dim] → [batch, heads, seq, head_dim]
    private Tensor SplitHeads(Tensor projected, int heads) =>
        projected.view(projected.shape[0], projected.shape[1], heads, _headDim).transpose(1, 2);
}
