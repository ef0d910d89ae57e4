using SparseDictionary.Losses;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The Gated SAE paper's auxiliary term <c>‖x − (W_dec^sg ReLU(π_gate) + b_dec^sg)‖²</c> (summed over <c>d_in</c>,
/// averaged over the batch), where <c>sg</c> marks stop-gradient copies of the decoder: it trains the gate path to
/// reconstruct on its own without moving the decoder. <c>ReLU(π_gate)</c> is the forward pass's
/// <see cref="SaeForward.SparsityActivations"/>.
/// </summary>
/// <remarks>
/// The paper (and SAELens) compute <c>π_gate</c> from <c>x − b_dec</c> with a live <c>b_dec</c>, so <c>b_dec</c> still
/// receives this term's gradient through the input centring (only the decoder copies are frozen).
/// <see cref="WithDetachedInputCentring"/> recomputes <c>π_gate</c> from <c>x − sg(b_dec)</c> (same value), so the term
/// sends no gradient to <c>b_dec</c> at all.
/// </remarks>
public sealed class GatedAuxiliaryLoss : ILossTerm
{
    private readonly GatedSae? _detachedCentring;

    /// <summary>The paper's term.</summary>
    public GatedAuxiliaryLoss()
    {
    }

    private GatedAuxiliaryLoss(GatedSae sae) => _detachedCentring = sae;

    /// <summary>The term with <c>b_dec</c> also detached in the gate's input centring of <paramref name="sae"/> (not the paper's).</summary>
    public static GatedAuxiliaryLoss WithDetachedInputCentring(GatedSae sae) => new(sae ?? throw new ArgumentNullException(nameof(sae)));

    /// <summary>Whether <c>b_dec</c> is also detached in the gate's input centring (not the paper's default).</summary>
    public bool StopGradientToInputCentring => _detachedCentring is not null;

    /// <inheritdoc />
    public string Name => "auxiliary_reconstruction_loss";

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(sae);
        var gate = _detachedCentring is { } gated
            ? nn.functional.relu(matmul(x - gated.DecoderBias.detach(), gated.GateWeight) + gated.GateBias)
            : forward.SparsityActivations;
        var frozen = addmm(sae.DecoderBias.detach(), gate, sae.DecoderWeight.detach(), beta: 1, alpha: 1);
        return ReconstructionLoss.PerToken(x, frozen).mean();
    }
}
