using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>
/// L1 sparsity penalty <c>Σᵢ |aᵢ|</c> averaged over the batch, where <c>a</c> is <see cref="SaeForward.SparsityActivations"/>:
/// the features for a standard SAE, <c>ReLU(π_gate)</c> for a Gated SAE.
/// </summary>
/// <param name="weightByDecoderNorm">
/// SAELens-style penalty <c>Σᵢ |aᵢ| ‖W_dec,ᵢ‖</c>, which makes the loss invariant to rescaling latents and is used
/// instead of constraining decoder rows to unit norm.
/// </param>
public sealed class L1SparsityLoss(bool weightByDecoderNorm = false) : ILossTerm
{
    /// <summary>Whether each latent's activation is weighted by its decoder row norm.</summary>
    public bool WeightByDecoderNorm { get; } = weightByDecoderNorm;

    /// <inheritdoc />
    public string Name => "l1_loss";

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae)
    {
        var a = forward.SparsityActivations.abs();
        if (WeightByDecoderNorm) a = a * sae.DecoderWeight.norm(1);
        return a.sum(1).mean();
    }
}
