using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>The token embedding table; its one parameter is named <c>weight</c>, as in PyTorch's <c>nn.Embedding</c>.</summary>
internal sealed class TokenEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;

    public TokenEmbedding(long vocabSize, long dim, ScalarType dtype, Device device)
        : base(nameof(TokenEmbedding))
    {
        _weight = FrozenParameter.Create(zeros(vocabSize, dim, dtype, device));
        register_parameter("weight", _weight);
    }

    /// <summary>The table <c>[vocab, dim]</c>.</summary>
    public Parameter Weight => _weight;

    /// <summary>Looks up <c>[batch, seq]</c> int64 token ids, which the caller has checked, giving <c>[batch, seq, dim]</c>.</summary>
    public override Tensor forward(Tensor tokens)
    {
        long[] shape = [.. tokens.shape, _weight.shape[1]];
        return _weight.index_select(0, tokens.reshape(-1)).view(shape);
    }
}
