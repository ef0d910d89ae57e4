using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>One term of an SAE training loss: <c>(batch, forward output, SAE) → scalar</c>.</summary>
public interface ILossTerm
{
    /// <summary>Name used in logs and training curves (e.g. <c>mse_loss</c>, <c>l1_loss</c>).</summary>
    string Name { get; }

    /// <summary>The term's value, a scalar tensor that is differentiable where the term is.</summary>
    /// <param name="x">Input activations <c>[tokens, d_in]</c>.</param>
    /// <param name="forward">The SAE's forward pass on <paramref name="x"/>.</param>
    /// <param name="sae">The SAE (for terms that read its weights).</param>
    Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae);
}
