using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>
/// The L0 sparsity penalty of JumpReLU SAEs (Rajamanoharan et al. 2024): <c>mean_tokens Σᵢ H(zᵢ − θᵢ)</c>, the number of
/// active latents, made trainable through the step function's straight-through estimator
/// <c>∂H(z − θ)/∂θ := −(1/ε) K((z − θ)/ε)</c> (<see cref="JumpRelu.Step"/>). It sends gradient to the thresholds only,
/// as in the paper. Needs a <see cref="JumpReluSae"/>, whose bandwidth ε it uses.
/// </summary>
public sealed class JumpReluL0Loss : ILossTerm
{
    /// <inheritdoc />
    public string Name => "l0_loss";

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var jumpRelu = sae as JumpReluSae
            ?? throw new InvalidOperationException($"The JumpReLU L0 loss needs a {nameof(JumpReluSae)}, not a '{sae?.Architecture}' SAE.");
        return JumpRelu.Step(forward.PreActivations, jumpRelu.Threshold(), jumpRelu.Bandwidth).sum(1).mean();
    }
}
