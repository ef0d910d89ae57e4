using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>One term of an SAE training loss: <c>(batch, forward output, SAE[, training context]) → scalar</c>.</summary>
public interface ILossTerm
{
    /// <summary>Name used in logs and training curves (e.g. <c>mse_loss</c>, <c>l1_loss</c>).</summary>
    string Name { get; }

    /// <summary>The term's value, a scalar tensor that is differentiable where the term is.</summary>
    /// <param name="x">Input activations <c>[tokens, d_in]</c>.</param>
    /// <param name="forward">The SAE's forward pass on <paramref name="x"/>.</param>
    /// <param name="sae">The SAE (for terms that read its weights).</param>
    Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae);

    /// <summary>
    /// The term's value given the training state in <paramref name="context"/>. Terms that need no state (the default)
    /// ignore it; terms that do (<see cref="AuxKLoss"/>) override this.
    /// </summary>
    /// <param name="x">Input activations <c>[tokens, d_in]</c>.</param>
    /// <param name="forward">The SAE's forward pass on <paramref name="x"/>.</param>
    /// <param name="sae">The SAE.</param>
    /// <param name="context">Training state, such as the dead-latent mask.</param>
    Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae, LossContext context) => Compute(x, forward, sae);
}
