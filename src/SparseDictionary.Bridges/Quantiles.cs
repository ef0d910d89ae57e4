namespace SparseDictionary.Bridges;

/// <summary>Quantiles of a sample by linear interpolation between order statistics (NumPy's default, "type 7").</summary>
internal static class Quantiles
{
    /// <summary>The <paramref name="level"/> quantile of <paramref name="sorted"/> (ascending); NaN when it is empty.</summary>
    public static double Of(float[] sorted, double level)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        double position = level * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double fraction = position - below;
        return sorted[below] + fraction * ((double)sorted[above] - sorted[below]);
    }
}
