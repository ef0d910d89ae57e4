using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>How the decoder's scale is kept from absorbing the sparsity penalty.</summary>
public enum DecoderNormPolicy
{
    /// <summary>
    /// Decoder rows are kept at unit norm: the gradient component parallel to each row is removed before the optimiser
    /// step and rows are renormalised after it (Bricken et al. 2023).
    /// </summary>
    UnitNormConstraint,

    /// <summary>No constraint; the L1 penalty is weighted by each latent's decoder norm (SAELens, Anthropic April 2024).</summary>
    WeightedL1,
}

/// <summary>The unit-norm decoder constraint.</summary>
public static class DecoderNorm
{
    /// <summary>Removes from <c>W_dec</c>'s gradient the component parallel to each (unit) row: <c>g ← g − (g·w) w</c>.</summary>
    public static void RemoveParallelGradient(Parameter decoder)
    {
        var g = decoder.grad;
        if (g is null) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var unit = decoder / decoder.norm(1, keepdim: true).clamp_min(1e-12);
        g.sub_((g * unit).sum(1, keepdim: true) * unit);
    }

    /// <summary>Scales every row of <c>W_dec</c> to unit Euclidean norm.</summary>
    public static void NormalizeRows(Parameter decoder)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        decoder.div_(decoder.norm(1, keepdim: true).clamp_min(1e-12));
    }
}
