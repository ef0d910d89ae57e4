using System.Diagnostics.CodeAnalysis;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The architecture registry: one entry per architecture. A new architecture is a folder under <c>Autoencoders/</c> (its
/// SAE, its loss terms, its spec and entry) and one line in <see cref="All"/>; the trainer, SAELens folders, run
/// configurations, sweep files, the CLI, the seed experiment's tables and plots all find it here.
/// </summary>
public static class SaeArchitectures
{
    /// <summary>Every architecture, in the order help texts and tables list them.</summary>
    public static IReadOnlyList<SaeArchitecture> All { get; } =
    [
        StandardArchitecture.Instance,
        GatedArchitecture.Instance,
        TopKArchitecture.Instance,
        BatchTopKArchitecture.Instance,
        JumpReluArchitecture.Instance,
        MatryoshkaBatchTopKArchitecture.Instance,
    ];

    /// <summary>The registered names.</summary>
    public static IEnumerable<string> Names => All.Select(a => a.Name);

    /// <summary>
    /// The architecture named <paramref name="name"/> (a hyphen may stand for an underscore: <c>matryoshka-batchtopk</c>).
    /// </summary>
    /// <exception cref="ArgumentException">No architecture has that name; the message lists the known names.</exception>
    public static SaeArchitecture Get(string name) =>
        TryGet(name, out SaeArchitecture? architecture)
            ? architecture
            : throw new ArgumentException($"Unknown architecture '{name}'; the known architectures are {string.Join(", ", Names)}.", nameof(name));

    /// <summary>The architecture of <paramref name="sae"/>.</summary>
    /// <exception cref="ArgumentException">The SAE's architecture is not registered.</exception>
    public static SaeArchitecture Of(ISparseAutoencoder sae)
    {
        ArgumentNullException.ThrowIfNull(sae);
        return Get(sae.Architecture);
    }

    /// <summary>Finds the architecture named <paramref name="name"/>, if registered.</summary>
    public static bool TryGet(string? name, [NotNullWhen(true)] out SaeArchitecture? architecture)
    {
        string? normalized = name?.Replace('-', '_');
        architecture = All.FirstOrDefault(a => a.Name == normalized);
        return architecture is not null;
    }
}
