using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// Rotary position embeddings in the Hugging Face convention: each head's dimension <c>i</c> (of the first half) pairs
/// with dimension <c>i + head_dim/2</c> and both rotate by <c>position · θ^(−2i/head_dim)</c>
/// (<c>rotate_half</c>). llama2.c rotates interleaved pairs instead; its loader permutes the query and key weights so
/// that this one convention serves both.
/// </summary>
/// <remarks>TorchSharp 0.107 has no rotary helper.</remarks>
internal sealed class RotaryEmbedding
{
    private RotaryEmbedding(Tensor cos, Tensor sin)
    {
        Cos = cos;
        Sin = sin;
    }

    /// <summary>The cosines <c>[seq, head_dim]</c>, in the model's element type.</summary>
    public Tensor Cos { get; }

    /// <summary>The sines <c>[seq, head_dim]</c>, in the model's element type.</summary>
    public Tensor Sin { get; }

    /// <summary>Computes the tables for positions <c>0 … seqLen − 1</c>.</summary>
    public static RotaryEmbedding Create(long seqLen, int headDim, double theta, ScalarType dtype, Device device)
    {
        // Angles are computed in float32 as Hugging Face and llama2.c do (a half-precision angle at position 4000 would be
        // off by whole radians); only the finished tables take the model's type.
        // θ^(−2i/d) = exp(−(2i/d)·ln θ), in float64 so that the float32 frequencies are correctly rounded.
        Tensor exponents = arange(0, headDim, 2, ScalarType.Float64, device) / headDim;
        Tensor inverseFrequencies = (exponents * -Math.Log(theta)).exp().to(ScalarType.Float32);
        Tensor positions = arange(seqLen, ScalarType.Float32, device);
        Tensor angles = positions.outer(inverseFrequencies);
        Tensor full = cat([angles, angles], dim: -1);
        return new RotaryEmbedding(full.cos().to(dtype), full.sin().to(dtype));
    }

    /// <summary>Rotates <paramref name="x"/> <c>[batch, heads, seq, head_dim]</c>.</summary>
    public Tensor Apply(Tensor x) => x * Cos + RotateHalf(x) * Sin;

    // (x1, x2) → (−x2, x1) on the two halves of the last dimension.
    private static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        Tensor first = x.narrow(-1, 0, half);
        Tensor second = x.narrow(-1, half, half);
        return cat([second.neg(), first], dim: -1);
    }
}
