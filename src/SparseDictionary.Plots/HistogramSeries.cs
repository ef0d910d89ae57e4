namespace SparseDictionary.Plots;

/// <summary>
/// A named, pre-binned histogram: <see cref="BinEdges"/> has one more value than <see cref="Counts"/>; bin i spans
/// [BinEdges[i], BinEdges[i + 1]). Edges must be finite and strictly increasing; counts finite and non-negative.
/// An empty <see cref="Name"/> leaves the series out of the legend.
/// </summary>
/// <param name="Name">Legend text.</param>
/// <param name="BinEdges">n + 1 strictly increasing bin edges.</param>
/// <param name="Counts">n counts (or densities), one per bin.</param>
public sealed record HistogramSeries(string Name, IReadOnlyList<double> BinEdges, IReadOnlyList<double> Counts)
{
    /// <summary>Legend text; empty leaves the series out of the legend.</summary>
    public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));

    /// <summary>n + 1 strictly increasing bin edges.</summary>
    public IReadOnlyList<double> BinEdges { get; init; } = Validation.CheckedEdges(BinEdges, nameof(BinEdges));

    /// <summary>n counts (or densities), one per bin.</summary>
    public IReadOnlyList<double> Counts { get; init; } = Validation.CheckedCounts(Counts, BinEdges, nameof(Counts));
}
