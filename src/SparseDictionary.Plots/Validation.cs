using System.Globalization;

namespace SparseDictionary.Plots;

/// <summary>Input checks shared by the records and the charts; every message names the offending field.</summary>
internal static class Validation
{
    public static TEnum Defined<TEnum>(TEnum value, string field) where TEnum : struct, Enum =>
        Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(field, value, $"{field} is not a defined {typeof(TEnum).Name}.");

    public static int Size(int value, string field) =>
        value is >= ChartOptions.MinSize and <= ChartOptions.MaxSize
            ? value
            : throw new ArgumentOutOfRangeException(field, value,
                $"{field} must be between {ChartOptions.MinSize} and {ChartOptions.MaxSize} pixels.");

    /// <summary>Checks bin edges; <paramref name="field"/> names them in messages, <paramref name="paramName"/> is the argument.</summary>
    public static IReadOnlyList<double> CheckedEdges(IReadOnlyList<double>? edges, string field, string? paramName = null)
    {
        paramName ??= field;
        if (edges is null)
            throw new ArgumentNullException(paramName, $"{field} is null.");
        if (edges.Count < 2)
            throw new ArgumentException($"{field} has {edges.Count} values; a histogram needs at least 2 edges.", paramName);
        for (int i = 0; i < edges.Count; i++)
        {
            Finite(edges[i], $"{field}[{i}]", paramName);
            if (i > 0 && !(edges[i] > edges[i - 1]))
                throw new ArgumentException(
                    $"{field}[{i}] = {Show(edges[i])} is not greater than {field}[{i - 1}] = {Show(edges[i - 1])}; " +
                    "bin edges must be strictly increasing.", paramName);
        }
        return edges;
    }

    /// <summary>Checks counts against already checked edges; names as in <see cref="CheckedEdges"/>.</summary>
    public static IReadOnlyList<double> CheckedCounts(
        IReadOnlyList<double>? counts, IReadOnlyList<double> edges, string field, string? paramName = null)
    {
        paramName ??= field;
        if (counts is null)
            throw new ArgumentNullException(paramName, $"{field} is null.");
        if (counts.Count != edges.Count - 1)
            throw new ArgumentException(
                $"{field} has {counts.Count} values but there are {edges.Count} bin edges; counts need one fewer.", paramName);
        for (int i = 0; i < counts.Count; i++)
        {
            Finite(counts[i], $"{field}[{i}]", paramName);
            if (counts[i] < 0)
                throw new ArgumentException($"{field}[{i}] = {Show(counts[i])} is negative; counts must be >= 0.", paramName);
        }
        return counts;
    }

    public static void Finite(double value, string where, string paramName)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"{where} is {Show(value)}; charts accept finite values only.", paramName);
    }

    public static void PositiveOnLog(double value, AxisScale scale, string axis, string where, string paramName)
    {
        if (scale == AxisScale.Log10 && !(value > 0))
            throw new ArgumentException(
                $"{where} = {Show(value)} is not positive, but the {axis} axis is {nameof(AxisScale.Log10)}.", paramName);
    }

    /// <summary>Checks a chart's series list: not empty, no null entries, and each entry's own checks.</summary>
    public static void NotEmpty<T>(IReadOnlyList<T>? series, string paramName) where T : class
    {
        if (series is null)
            throw new ArgumentNullException(paramName);
        if (series.Count == 0)
            throw new ArgumentException($"{paramName} is empty; give at least one series.", paramName);
        for (int i = 0; i < series.Count; i++)
            if (series[i] is null)
                throw new ArgumentException($"{paramName}[{i}] is null.", paramName);
    }

    /// <summary>
    /// Re-checks a <see cref="PlotSeries"/> at drawing time (a <c>with</c> expression can bypass its constructor)
    /// and against the axis scales.
    /// </summary>
    public static void Points(PlotSeries s, int index, ChartOptions options, string paramName)
    {
        string name = $"{paramName}[{index}] ('{s.Name}')";
        if (s.X is null || s.Y is null)
            throw new ArgumentException($"{name} has a null X or Y.", paramName);
        if (s.X.Count != s.Y.Count)
            throw new ArgumentException($"{name}.Y has {s.Y.Count} values but X has {s.X.Count}; they must match.", paramName);
        if (s.X.Count == 0)
            throw new ArgumentException($"{name} has no points.", paramName);
        for (int j = 0; j < s.X.Count; j++)
        {
            Finite(s.X[j], $"{name}.X[{j}]", paramName);
            Finite(s.Y[j], $"{name}.Y[{j}]", paramName);
            PositiveOnLog(s.X[j], options.XScale, "X", $"{name}.X[{j}]", paramName);
            PositiveOnLog(s.Y[j], options.YScale, "Y", $"{name}.Y[{j}]", paramName);
        }
    }

    /// <summary>Re-checks a <see cref="HistogramSeries"/> at drawing time and against the axis scales.</summary>
    public static void Bins(HistogramSeries s, int index, ChartOptions options, string paramName)
    {
        string name = $"{paramName}[{index}] ('{s.Name}')";
        CheckedCounts(s.Counts, CheckedEdges(s.BinEdges, $"{name}.BinEdges", paramName), $"{name}.Counts", paramName);
        for (int j = 0; j < s.BinEdges.Count; j++)
            PositiveOnLog(s.BinEdges[j], options.XScale, "X", $"{name}.BinEdges[{j}]", paramName);
        // On a log Y axis empty bins are drawn as gaps, but a series with no positive count would draw nothing.
        if (options.YScale == AxisScale.Log10 && !s.Counts.Any(c => c > 0))
            throw new ArgumentException(
                $"{name}.Counts has no positive count, so nothing can be drawn on a {nameof(AxisScale.Log10)} Y axis.",
                paramName);
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
