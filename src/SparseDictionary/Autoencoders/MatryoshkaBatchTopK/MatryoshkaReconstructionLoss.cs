using SparseDictionary.Losses;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The Matryoshka reconstruction term (Bussmann et al. 2025, eq. 3): with the dictionary split into consecutive groups of
/// sizes <c>g₁ … g_n</c> and <c>m_i = g₁ + … + g_i</c>, each prefix reconstructs the input on its own,
/// <c>x̂_{1:m} = W_dec[:m]ᵀ f[:m] + b_dec</c>, and the term is <c>Σᵢ wᵢ · mean_tokens ‖x − x̂_{1:mᵢ}‖²</c>. The last prefix is
/// the whole dictionary, so with one group this is <see cref="ReconstructionLoss"/>.
/// </summary>
/// <remarks>
/// The paper sums the prefix losses with equal weights (wᵢ = 1, the default). dictionary_learning averages them after
/// weighting each by 1/n (a total n² times smaller), which only rescales the loss against AuxK.
/// The prefix reconstructions are accumulated group by group, one <c>[tokens, gᵢ] × [gᵢ, d_in]</c> product each.
/// </remarks>
/// <param name="groupSizes">The group sizes; they sum to the SAE's d_sae.</param>
/// <param name="weights">One weight per prefix; <see langword="null"/> for all 1.</param>
public sealed class MatryoshkaReconstructionLoss(IReadOnlyList<int> groupSizes, IReadOnlyList<double>? weights = null) : ILossTerm
{
    /// <summary>The group sizes.</summary>
    public IReadOnlyList<int> GroupSizes { get; } = groupSizes is { Count: > 0 } && groupSizes.All(g => g > 0)
        ? [.. groupSizes]
        : throw new ArgumentException("Matryoshka group sizes must be one or more positive numbers.", nameof(groupSizes));

    /// <summary>The weight of each prefix's loss.</summary>
    public IReadOnlyList<double> Weights { get; } = weights is null
        ? [.. Enumerable.Repeat(1.0, groupSizes.Count)]
        : weights.Count == groupSizes.Count && weights.All(w => w >= 0 && double.IsFinite(w))
            ? [.. weights]
            : throw new ArgumentException($"Expected {groupSizes.Count} finite non-negative prefix weights, one per group.", nameof(weights));

    /// <inheritdoc />
    public string Name => "mse_loss";

    /// <inheritdoc />
    public Tensor Compute(Tensor x, SaeForward forward, ISparseAutoencoder sae)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(sae);
        if (GroupSizes.Sum() != sae.DSae)
        {
            throw new ArgumentException($"The Matryoshka groups sum to {GroupSizes.Sum()}, but the SAE has {sae.DSae} latents.", nameof(sae));
        }
        Tensor reconstruction = sae.DecoderBias.unsqueeze(0);
        Tensor? total = null;
        int start = 0;
        for (int i = 0; i < GroupSizes.Count; i++)
        {
            var features = forward.Features.narrow(1, start, GroupSizes[i]);
            reconstruction = reconstruction + features.matmul(sae.DecoderWeight.narrow(0, start, GroupSizes[i]));
            var prefix = ReconstructionLoss.PerToken(x, reconstruction).mean() * Weights[i];
            total = total is null ? prefix : total + prefix;
            start += GroupSizes[i];
        }
        return total!;
    }
}
