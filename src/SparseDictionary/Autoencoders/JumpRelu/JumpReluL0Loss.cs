using SparseDictionary.Losses;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The L0 sparsity penalty of JumpReLU SAEs (Rajamanoharan et al. 2024): <c>mean_tokens Σᵢ H(zᵢ − θᵢ)</c>, the number of
/// active latents, made trainable through the step function's straight-through estimator
/// <c>∂H(z − θ)/∂θ := −(1/ε) K((z − θ)/ε)</c> (<see cref="JumpRelu.Step"/>). It sends gradient to the thresholds only,
/// as in the paper. It reads the thresholds and bandwidth ε of the <see cref="JumpReluSae"/> it was made for.
/// </summary>
/// <param name="sae">The SAE whose thresholds the penalty trains.</param>
public sealed class JumpReluL0Loss(JumpReluSae sae) : ILossTerm
{
    private readonly JumpReluSae _sae = sae ?? throw new ArgumentNullException(nameof(sae));

    /// <inheritdoc />
    public string Name => "l0_loss";

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return JumpRelu.Step(forward.PreActivations, _sae.Threshold(), _sae.Bandwidth).sum(1).mean();
    }
}
