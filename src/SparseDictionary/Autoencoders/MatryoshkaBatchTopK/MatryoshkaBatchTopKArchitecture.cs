using System.ComponentModel;
using SparseDictionary.Formats;
using SparseDictionary.Losses;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// A Matryoshka BatchTopK SAE (<see cref="MatryoshkaBatchTopKSae"/>) and its loss: the prefix reconstructions
/// (<see cref="MatryoshkaReconstructionLoss"/>) + α·AuxK on the full reconstruction's residual.
/// </summary>
public sealed record MatryoshkaBatchTopKSpec : BatchTopKSpec
{
    /// <summary>
    /// The sizes of the consecutive latent groups (they must sum to d_sae); <see langword="null"/> for d_sae/16, d_sae/8,
    /// d_sae/4 and the rest (128, 256, 512, 1152 at d_sae 2048).
    /// </summary>
    [Description("Sizes of the consecutive latent groups, summing to d_sae (default: d_sae/16, d_sae/8, d_sae/4, the rest).")]
    public IReadOnlyList<int>? Groups { get; init; }

    /// <summary>The weight of each prefix's reconstruction loss; <see langword="null"/> for 1 each (the paper's sum).</summary>
    [Description("Weight of each prefix's reconstruction loss (default: 1 each, the paper's sum).")]
    public IReadOnlyList<double>? GroupWeights { get; init; }

    /// <inheritdoc />
    public override SaeArchitecture Architecture => MatryoshkaBatchTopKArchitecture.Instance;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (Groups is { } groups && (groups.Count == 0 || groups.Any(g => g <= 0)))
        {
            throw new ArgumentOutOfRangeException(nameof(Groups), $"[{string.Join(", ", groups)}]", "Groups must be one or more positive sizes.");
        }
        if (GroupWeights is { } weights && (weights.Count != (Groups?.Count ?? 4) || weights.Any(w => !(w >= 0) || !double.IsFinite(w))))
        {
            throw new ArgumentOutOfRangeException(nameof(GroupWeights), $"[{string.Join(", ", weights)}]", "GroupWeights must hold one finite weight ≥ 0 per group.");
        }
    }

    /// <summary>The group sizes of an SAE with <paramref name="dSae"/> latents.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Groups"/> do not sum to <paramref name="dSae"/>.</exception>
    public IReadOnlyList<int> GroupsFor(int dSae)
    {
        if (Groups is null) return dSae >= 16 ? [dSae / 16, dSae / 8, dSae / 4, dSae - dSae / 16 - dSae / 8 - dSae / 4] : [dSae];
        return Groups.Sum() == dSae
            ? Groups
            : throw new ArgumentOutOfRangeException(nameof(Groups), $"[{string.Join(", ", Groups)}]", $"Groups must sum to d_sae = {dSae}; they sum to {Groups.Sum()}.");
    }

    /// <inheritdoc />
    public override ISparseAutoencoder CreateSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
    {
        Validate();
        return new MatryoshkaBatchTopKSae(dIn, GroupsFor(dSae), KFor(dSae), device, dtype, generator)
        {
            ThresholdStartStep = ThresholdStartStep, ThresholdDecay = ThresholdDecay,
        };
    }

    /// <inheritdoc />
    protected override ILossTerm ReconstructionTerm(ISparseAutoencoder sae)
    {
        var groups = GroupsFor(sae.DSae);
        return new MatryoshkaReconstructionLoss(groups, GroupWeights is { } w && w.Count == groups.Count ? w : null);
    }

    /// <inheritdoc />
    public bool Equals(MatryoshkaBatchTopKSpec? other) =>
        other is not null && base.Equals(other) && Same(Groups, other.Groups) && Same(GroupWeights, other.GroupWeights);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Groups?.Count, GroupWeights?.Count);

    private static bool Same<T>(IReadOnlyList<T>? a, IReadOnlyList<T>? b) => a is null ? b is null : b is not null && a.SequenceEqual(b);
}

/// <summary>The registry entry of the Matryoshka BatchTopK SAE.</summary>
public sealed class MatryoshkaBatchTopKArchitecture : SaeArchitecture<MatryoshkaBatchTopKSpec>
{
    /// <summary>SAELens's training name; saved folders say <c>jumprelu</c>, as for BatchTopK.</summary>
    public const string ArchitectureName = "matryoshka_batchtopk";

    private MatryoshkaBatchTopKArchitecture()
        : base(ArchitectureName, "Matryoshka BatchTopK SAE (Bussmann et al. 2025): every prefix of latent groups reconstructs the input.")
    {
    }

    /// <summary>The entry.</summary>
    public static MatryoshkaBatchTopKArchitecture Instance { get; } = new();

    /// <inheritdoc />
    internal override SaeLensMapping SaeLens => BatchTopKArchitecture.SaveAsJumpRelu;
}
