using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>
/// The Gated SAE paper's auxiliary term <c>‖x − (W_dec^sg ReLU(π_gate) + b_dec^sg)‖²</c> (summed over <c>d_in</c>,
/// averaged over the batch), where <c>sg</c> marks stop-gradient copies of the decoder: it trains the gate path to
/// reconstruct on its own without moving the decoder.
/// </summary>
/// <param name="stopGradientToInputCentring">
/// The paper (and SAELens) compute <c>π_gate</c> from <c>x − b_dec</c> with a live <c>b_dec</c>, so <c>b_dec</c> still
/// receives this term's gradient through the input centring (only the decoder copies are frozen). With
/// <see langword="true"/>, <c>π_gate</c> is recomputed here from <c>x − sg(b_dec)</c> (same value), so the term sends no
/// gradient to <c>b_dec</c> at all. Needs a <see cref="GatedSae"/>.
/// </param>
public sealed class GatedAuxiliaryLoss(bool stopGradientToInputCentring = false) : ILossTerm
{
    /// <summary>Whether <c>b_dec</c> is also detached in the gate's input centring (not the paper's default).</summary>
    public bool StopGradientToInputCentring { get; } = stopGradientToInputCentring;

    /// <inheritdoc />
    public string Name => "auxiliary_reconstruction_loss";

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae)
    {
        var gate = forward.GatePreActivations
            ?? throw new InvalidOperationException($"The Gated auxiliary loss needs gate pre-activations; the '{sae.Architecture}' architecture has none.");
        if (StopGradientToInputCentring)
        {
            var gated = sae as GatedSae
                ?? throw new InvalidOperationException($"Detaching the input centring needs a {nameof(GatedSae)}, not '{sae.Architecture}'.");
            gate = matmul(x - sae.DecoderBias.detach(), gated.GateWeight) + gated.GateBias;
        }
        var frozen = addmm(sae.DecoderBias.detach(), nn.functional.relu(gate), sae.DecoderWeight.detach(), beta: 1, alpha: 1);
        return ReconstructionLoss.PerToken(x, frozen).mean();
    }
}
