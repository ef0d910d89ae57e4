using SparseDictionary.Autoencoders;

namespace SparseDictionary.Llama.Tests.Bridges;

/// <summary>Standard SAEs whose reconstruction is an exact multiple of their input.</summary>
internal static class LinearSaes
{
    /// <summary>
    /// A <see cref="StandardSae"/> with <c>d_sae = 2·d_in</c>, <c>W_enc = [I, −I]</c>, <c>W_dec = scale·[I; −I]</c> and zero
    /// biases, so <c>Decode(Encode(x)) = scale·(ReLU(x) − ReLU(−x)) = scale·x</c>, exactly for scale 1 and 0.
    /// </summary>
    public static StandardSae Scaled(int dIn, double scale)
    {
        var sae = new StandardSae(dIn, 2 * dIn);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.Tensor eye = torch.eye(dIn);
        sae.EncoderWeight.copy_(torch.cat([eye, -eye], 1));
        sae.DecoderWeight.copy_(torch.cat([eye, -eye], 0) * scale);
        sae.EncoderBias.zero_();
        sae.DecoderBias.zero_();
        return sae;
    }
}
