using ScottPlot;

namespace SparseDictionary.Plots;

/// <summary>
/// ScottPlot 5 has no logarithmic axis: on a <see cref="AxisScale.Log10"/> axis the charts plot log10 of each value
/// and label the ticks with the values (<see cref="LogTickGenerator"/>).
/// </summary>
internal static class AxisScaling
{
    public static double Forward(AxisScale scale, double value) => scale == AxisScale.Log10 ? Math.Log10(value) : value;

    public static double[] Forward(AxisScale scale, IEnumerable<double> values) =>
        values.Select(v => Forward(scale, v)).ToArray();

    public static void Apply(IAxis axis, AxisScale scale)
    {
        if (scale == AxisScale.Log10)
            axis.TickGenerator = new LogTickGenerator();
    }
}
