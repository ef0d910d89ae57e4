using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>Converts query/key projection weights from llama2.c's rotary layout to Hugging Face's.</summary>
/// <remarks>
/// llama2.c rotates interleaved pairs <c>(2i, 2i+1)</c> of each head; Hugging Face's <c>rotate_half</c> pairs <c>i</c>
/// with <c>i + head_dim/2</c>. Reordering each head's output rows as [even rows…, odd rows…] makes the two rotations
/// the same function, and since attention scores are dot products within a head, reordering the query and key rows of a
/// head alike leaves them unchanged. This is the <c>permute</c> of transformers' <c>convert_llama_weights_to_hf.py</c>.
/// </remarks>
internal static class RotaryPermutation
{
    /// <summary>Reorders the rows of <paramref name="weight"/> <c>[heads · head_dim, in]</c> head by head.</summary>
    public static Tensor InterleavedToHalves(Tensor weight, int heads)
    {
        long rows = weight.shape[0], columns = weight.shape[1];
        return weight.view(heads, rows / heads / 2, 2, columns).transpose(1, 2).reshape(rows, columns);
    }
}
