using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>
/// Reconstruction error <c>‖x − x̂‖²</c>: squared error summed over <c>d_in</c>, averaged over the batch.
/// </summary>
/// <remarks>SAELens's <c>mse_loss</c> averages over <c>d_in</c> too; ours is <c>d_in</c> times larger, as in the papers.</remarks>
public sealed class ReconstructionLoss : ILossTerm
{
    /// <inheritdoc />
    public string Name => "mse_loss";

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae) => PerToken(x, forward.Reconstruction).mean();

    /// <summary>Squared error per token, <c>[tokens]</c>; also the per-input loss neuron resampling samples by.</summary>
    public static Tensor PerToken(Tensor x, Tensor reconstruction) => (reconstruction - x).square().sum(1);
}
