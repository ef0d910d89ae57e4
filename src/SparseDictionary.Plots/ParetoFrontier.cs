namespace SparseDictionary.Plots;

/// <summary>The non-dominated points of a 2-D point set.</summary>
public static class ParetoFrontier
{
    /// <summary>
    /// Returns the points that no other point dominates, sorted by X ascending (Y is then monotone: rising for
    /// <see cref="FrontierDirection.MinimiseXMaximiseY"/>, falling for <see cref="FrontierDirection.MinimiseXMinimiseY"/>).
    /// A point dominates another when it is at least as good on both axes and better on one. Of points that
    /// tie on X only the best Y can survive; exact duplicates appear once. An empty input gives an empty result.
    /// </summary>
    /// <param name="points">The points; every coordinate must be finite.</param>
    /// <param name="direction">Which way is better on each axis.</param>
    /// <exception cref="ArgumentException">A coordinate is NaN or infinite (the message gives its index), or
    /// <paramref name="direction"/> is not defined.</exception>
    public static IReadOnlyList<(double X, double Y)> Of(IEnumerable<(double X, double Y)> points, FrontierDirection direction)
    {
        ArgumentNullException.ThrowIfNull(points);
        Validation.Defined(direction, nameof(direction));
        var all = points.ToArray();
        for (int i = 0; i < all.Length; i++)
        {
            Validation.Finite(all[i].X, $"points[{i}].X", nameof(points));
            Validation.Finite(all[i].Y, $"points[{i}].Y", nameof(points));
        }

        // Work with "higher is better" on Y; then sweep by X ascending (best Y first within an X tie): a point is on
        // the frontier exactly when its Y beats every point with smaller-or-equal X seen before it.
        double sign = direction == FrontierDirection.MinimiseXMaximiseY ? 1 : -1;
        var sorted = all.OrderBy(p => p.X).ThenByDescending(p => sign * p.Y);
        var frontier = new List<(double X, double Y)>();
        double best = double.NegativeInfinity;
        foreach (var p in sorted)
        {
            if (sign * p.Y > best)
            {
                frontier.Add(p);
                best = sign * p.Y;
            }
        }
        return frontier;
    }
}
