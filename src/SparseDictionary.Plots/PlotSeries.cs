namespace SparseDictionary.Plots;

/// <summary>
/// A named set of points. X and Y must have the same length; charts reject non-finite values (NaN, infinities)
/// rather than skipping them, naming the series and index, so that a broken run is never silently drawn as a
/// good one. An empty <see cref="Name"/> leaves the series out of the legend.
/// </summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X coordinates.</param>
/// <param name="Y">Y coordinates, one per X.</param>
public sealed record PlotSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>Legend text; empty leaves the series out of the legend.</summary>
    public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));

    /// <summary>X coordinates.</summary>
    public IReadOnlyList<double> X { get; init; } = X ?? throw new ArgumentNullException(nameof(X));

    /// <summary>Y coordinates, one per X.</summary>
    public IReadOnlyList<double> Y { get; init; } = Y is null
        ? throw new ArgumentNullException(nameof(Y))
        : Y.Count == X.Count
            ? Y
            : throw new ArgumentException($"Y has {Y.Count} values but X has {X.Count}; they must match.", nameof(Y));
}
