using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>
/// The Gated SAE paper's auxiliary term <c>‖x − (W_dec^sg ReLU(π_gate) + b_dec^sg)‖²</c> (summed over <c>d_in</c>,
/// averaged over the batch), where <c>sg</c> marks stop-gradient copies of the decoder: it trains the gate path to
/// reconstruct on its own without moving the decoder.
/// </summary>
public sealed class GatedAuxiliaryLoss : ILossTerm
{
    /// <inheritdoc />
    public string Name => "auxiliary_reconstruction_loss";

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae)
    {
        var gate = forward.GatePreActivations
            ?? throw new InvalidOperationException($"The Gated auxiliary loss needs gate pre-activations; the '{sae.Architecture}' architecture has none.");
        var frozen = addmm(sae.DecoderBias.detach(), nn.functional.relu(gate), sae.DecoderWeight.detach(), beta: 1, alpha: 1);
        return ReconstructionLoss.PerToken(x, frozen).mean();
    }
}
