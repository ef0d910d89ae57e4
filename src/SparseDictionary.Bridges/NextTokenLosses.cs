using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>Per-position next-token cross-entropy and KL divergence from a forward pass's logits.</summary>
internal static class NextTokenLosses
{
    /// <summary>
    /// Log-probabilities <c>[batch, seq − 1, vocab]</c> of the next token at every position but the last (whose next token
    /// is unknown), in float32, or float64 for a float64 model: a bfloat16 log-softmax would round the losses coarsely.
    /// </summary>
    public static Tensor LogProbs(Tensor logits)
    {
        ScalarType type = logits.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        return nn.functional.log_softmax(logits[.., ..^1].to_type(type), -1);
    }

    /// <summary>The cross-entropy <c>[batch, seq − 1]</c> of each position's prediction of the token after it.</summary>
    /// <param name="logProbs">The output of <see cref="LogProbs"/>.</param>
    /// <param name="tokens">The token ids <c>[batch, seq]</c>, int64, on the same device.</param>
    public static Tensor CrossEntropy(Tensor logProbs, Tensor tokens) =>
        -logProbs.gather(-1, tokens[.., 1..].unsqueeze(-1)).squeeze(-1);

    /// <summary><c>KL(p ‖ q) = Σ p (log p − log q)</c> per position, <c>[batch, seq − 1]</c>.</summary>
    /// <param name="cleanLogProbs">log p, of the unchanged model.</param>
    /// <param name="cleanProbs">p, passed in so the caller computes it once for both comparisons.</param>
    /// <param name="otherLogProbs">log q, of the changed model.</param>
    public static Tensor KlDivergence(Tensor cleanLogProbs, Tensor cleanProbs, Tensor otherLogProbs) =>
        (cleanProbs * (cleanLogProbs - otherLogProbs)).sum(dim: -1);
}
