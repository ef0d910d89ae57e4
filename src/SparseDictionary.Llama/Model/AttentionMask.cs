using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>Builds which keys each query may attend to.</summary>
internal static class AttentionMask
{
    /// <summary>
    /// Returns a boolean tensor, true where a query may NOT attend to a key: <c>[1, 1, seq, seq]</c> for the causal mask
    /// alone, <c>[batch, 1, seq, seq]</c> when <paramref name="paddingMask"/> <c>[batch, seq]</c> (non-zero = real token)
    /// also hides padded keys.
    /// </summary>
    public static Tensor Blocked(Tensor? paddingMask, long seqLen, Device device)
    {
        Tensor causal = ones(seqLen, seqLen, ScalarType.Bool, device).tril();
        Tensor allowed = paddingMask is null
            ? causal.view(1, 1, seqLen, seqLen)
            : causal.view(1, 1, seqLen, seqLen).logical_and(paddingMask.to(device).ne(0).view(paddingMask.shape[0], 1, 1, seqLen));
        return allowed.logical_not();
    }
}
