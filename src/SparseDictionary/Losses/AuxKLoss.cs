using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>
/// The AuxK term of Gao et al. 2024 (Appendix A.2): the dead latents' largest pre-activations try to reconstruct what the
/// live ones missed. With <c>e = sg(x − x̂)</c>, <c>D</c> the latents that have not fired in the last
/// <see cref="DeadWindowTokens"/> tokens, and <c>z_aux</c> the <c>k_aux' = min(k_aux, |D|)</c> largest
/// <c>ReLU(z)</c> among <c>D</c> on each token (all others 0):
/// <c>L_aux = min(|D| / k_aux, 1) · mean_tokens ‖e − W_decᵀ z_aux‖²</c> (no <c>b_dec</c>: the residual has none).
/// </summary>
/// <remarks>
/// <para>
/// <c>k_aux</c> defaults to <c>d_in / 2</c> (the paper's Appendix B.1 heuristic, as in sparsify, SAELens and
/// dictionary_learning). The factor <c>min(|D|/k_aux, 1)</c> is sparsify's and SAELens's: it shrinks the term while few
/// latents are dead. The value is 0 (and sends no gradient) when no latent is dead or the context has no statistics.
/// </para>
/// <para>
/// Normalisation: sparsify divides both its reconstruction and its AuxK sums by the batch's total variance, so their
/// ratio is the coefficient α (paper: 1/32); with this library's unnormalised reconstruction loss the same ratio needs no
/// division here. The OpenAI release instead divides the AuxK error by the residual's own variance, and
/// dictionary_learning does that against an unnormalised reconstruction loss; SAELens neither normalises nor applies
/// ReLU to <c>z_aux</c>, and SAELens and sparsify decode <c>z_aux</c> with <c>b_dec</c>.
/// </para>
/// </remarks>
/// <param name="auxiliaryLatents"><c>k_aux</c>; <see langword="null"/> for <c>max(1, d_in / 2)</c>.</param>
/// <param name="deadWindowTokens">A latent not fired in this many tokens is dead (Gao et al., sparsify: 10M).</param>
public sealed class AuxKLoss(int? auxiliaryLatents = null, long deadWindowTokens = AuxKLoss.DefaultDeadWindowTokens) : ILossTerm
{
    /// <summary>The default dead window: 10M tokens.</summary>
    public const long DefaultDeadWindowTokens = 10_000_000;

    /// <summary><c>k_aux</c>, or <see langword="null"/> for <c>max(1, d_in / 2)</c>.</summary>
    public int? AuxiliaryLatents { get; } = auxiliaryLatents is null or > 0
        ? auxiliaryLatents
        : throw new ArgumentOutOfRangeException(nameof(auxiliaryLatents), auxiliaryLatents, "k_aux must be positive.");

    /// <summary>Tokens without firing after which a latent counts as dead.</summary>
    public long DeadWindowTokens { get; } = deadWindowTokens > 0
        ? deadWindowTokens
        : throw new ArgumentOutOfRangeException(nameof(deadWindowTokens), deadWindowTokens, "The dead window must be positive.");

    /// <inheritdoc />
    public string Name => "auxk_loss";

    /// <summary>Without training state no latent is known to be dead: the value is 0.</summary>
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae) => Compute(x, forward, sae, LossContext.None);

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae, LossContext context)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentNullException.ThrowIfNull(context);
        var dead = context.DeadLatents(DeadWindowTokens);
        long deadCount = dead is null ? 0 : dead.sum().ToInt64();
        if (dead is null || deadCount == 0) return zeros(Array.Empty<long>(), dtype: x.dtype, device: x.device);

        long kAux = AuxiliaryLatents ?? Math.Max(1, sae.DIn / 2);
        double scale = Math.Min((double)deadCount / kAux, 1.0);
        long used = Math.Min(kAux, deadCount);

        var acts = nn.functional.relu(forward.PreActivations);
        Tensor keep;
        using (no_grad())
        {
            var candidates = acts.detach().masked_fill(dead.logical_not().unsqueeze(0), double.NegativeInfinity);
            keep = TopKSelection.RowMask(candidates, used);
        }
        var residual = (x - forward.Reconstruction).detach();
        var predicted = matmul(acts * keep, sae.DecoderWeight);
        return (residual - predicted).square().sum(1).mean() * scale;
    }
}
