using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>The hook-point replacements of a loss-recovered run: the SAE's reconstruction, and zeros.</summary>
internal static class SaeSplice
{
    /// <summary>
    /// Replaces the site's value <c>[batch, seq, d]</c> by <c>Decode(Encode(x))</c>, computed on the SAE's device and in its
    /// element type and cast back, except where <paramref name="keepClean"/> <c>[batch, seq, 1]</c> is true.
    /// </summary>
    public static Func<Tensor, Tensor> Reconstruction(ISparseAutoencoder sae, Tensor keepClean) => x =>
    {
        long[] shape = x.shape;
        Tensor flat = x.reshape(-1, shape[^1]).to(sae.DType, sae.Device);
        Tensor reconstruction = sae.Decode(sae.Encode(flat)).to(x.dtype, x.device).reshape(shape);
        return where(keepClean, x, reconstruction);
    };

    /// <summary>Replaces the site's value by zeros, except where <paramref name="keepClean"/> <c>[batch, seq, 1]</c> is true.</summary>
    public static Func<Tensor, Tensor> ZeroAblation(Tensor keepClean) => x => where(keepClean, x, zeros_like(x));
}
