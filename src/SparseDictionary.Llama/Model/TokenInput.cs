using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>Checks a forward pass's token ids and padding mask.</summary>
internal static class TokenInput
{
    /// <summary>Returns the token ids as int64 on <paramref name="device"/> after checking their shape and range and the mask's shape.</summary>
    /// <exception cref="ArgumentException">The ids or the mask do not fit the model.</exception>
    public static Tensor Validate(Tensor tokens, Tensor? attentionMask, LlamaConfig config, Device device)
    {
        if (tokens.dim() != 2 || tokens.shape[0] == 0 || tokens.shape[1] == 0)
        {
            throw new ArgumentException($"Expected token ids of shape [batch, seq] with both sizes positive, found [{string.Join(", ", tokens.shape)}].", nameof(tokens));
        }
        if (tokens.dtype is not (ScalarType.Int64 or ScalarType.Int32))
        {
            throw new ArgumentException($"Expected int64 or int32 token ids, found {tokens.dtype}.", nameof(tokens));
        }
        if (tokens.shape[1] > config.MaxSeqLen)
        {
            throw new ArgumentException($"The sequence length {tokens.shape[1]} exceeds the model's maximum {config.MaxSeqLen}.", nameof(tokens));
        }
        Tensor ids = tokens.to(ScalarType.Int64, device);
        long min = ids.min().item<long>(), max = ids.max().item<long>();
        if (min < 0 || max >= config.VocabSize)
        {
            throw new ArgumentException($"Token ids must lie in [0, {config.VocabSize}); found ids from {min} to {max}.", nameof(tokens));
        }
        if (attentionMask is not null && !attentionMask.shape.SequenceEqual(tokens.shape))
        {
            throw new ArgumentException(
                $"The attention mask has shape [{string.Join(", ", attentionMask.shape)}]; the tokens have shape [{string.Join(", ", tokens.shape)}].",
                nameof(attentionMask));
        }
        return ids;
    }
}
