namespace SparseDictionary.Plots;

/// <summary>How values map onto a chart axis.</summary>
public enum AxisScale
{
    /// <summary>Values are placed linearly.</summary>
    Linear,

    /// <summary>
    /// Values are placed by their base-10 logarithm and ticks are labelled with the original values; every value
    /// on such an axis must be positive.
    /// </summary>
    Log10,
}
