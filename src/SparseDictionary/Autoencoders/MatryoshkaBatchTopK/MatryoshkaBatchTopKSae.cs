using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The Matryoshka BatchTopK SAE (Bussmann et al. 2025, "Learning Multi-Level Features with Matryoshka Sparse
/// Autoencoders"; Nabeshima 2024): a <see cref="BatchTopKSae"/> whose dictionary is split into consecutive groups
/// (<see cref="GroupSizes"/>), trained so that every prefix of groups reconstructs the input on its own
/// (<see cref="MatryoshkaReconstructionLoss"/>). Encoding, decoding, the batch-level selection and the inference threshold
/// are BatchTopK's; only the loss differs, so early latents learn general features and later ones refine them.
/// </summary>
public sealed class MatryoshkaBatchTopKSae : BatchTopKSae
{
    /// <summary>Creates the SAE as <see cref="BatchTopKSae"/> does.</summary>
    /// <param name="dIn">Input width.</param>
    /// <param name="groupSizes">The sizes of the consecutive latent groups; they sum to d_sae.</param>
    /// <param name="k">Mean latents kept per token.</param>
    /// <param name="device">Device for the parameters (default CPU).</param>
    /// <param name="dtype">Parameter element type (default float32).</param>
    /// <param name="generator">Random generator for reproducible initialisation.</param>
    public MatryoshkaBatchTopKSae(int dIn, IReadOnlyList<int> groupSizes, int k, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
        : base(nameof(MatryoshkaBatchTopKSae), dIn, CheckedSum(groupSizes), k, device, dtype, generator)
    {
        GroupSizes = [.. groupSizes];
    }

    /// <inheritdoc />
    public override string Architecture => MatryoshkaBatchTopKArchitecture.ArchitectureName;

    /// <summary>The sizes of the consecutive latent groups; prefix <c>i</c> is groups 0..i.</summary>
    public IReadOnlyList<int> GroupSizes { get; }

    private static int CheckedSum(IReadOnlyList<int> groupSizes)
    {
        ArgumentNullException.ThrowIfNull(groupSizes);
        if (groupSizes.Count == 0 || groupSizes.Any(g => g <= 0))
        {
            throw new ArgumentException($"Matryoshka group sizes must be one or more positive numbers, got [{string.Join(", ", groupSizes)}].", nameof(groupSizes));
        }
        return checked(groupSizes.Sum());
    }
}
