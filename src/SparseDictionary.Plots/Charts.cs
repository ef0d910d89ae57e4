namespace SparseDictionary.Plots;

/// <summary>
/// PNG charts of experiment results. Every method checks all of its input before drawing (throwing
/// <see cref="ArgumentException"/> that names the offending field: an empty series list, mismatched lengths, a
/// non-finite value, a non-positive value on a <see cref="AxisScale.Log10"/> axis, ...), creates the PNG's folder
/// if needed, and writes the file atomically (a temporary file in the same folder, then a rename). Text uses an
/// embedded DejaVu Sans, so no system fonts are needed.
/// </summary>
public static class Charts
{
    /// <summary>One line with markers per series, points joined in the order given, with a legend.</summary>
    /// <param name="pngPath">Where to write the PNG.</param>
    /// <param name="options">Title, labels, scales and size.</param>
    /// <param name="series">At least one series, each with at least one point.</param>
    public static void Lines(string pngPath, ChartOptions options, IReadOnlyList<PlotSeries> series)
    {
        CheckPointCharts(pngPath, options, series);
        using var canvas = new ChartCanvas(options);
        for (int i = 0; i < series.Count; i++)
        {
            (double[] x, double[] y) = Transform(options, series[i].X, series[i].Y);
            canvas.Add(x, y, canvas.ColorOf(i), series[i].Name, lineWidth: 2, markerSize: 6);
        }
        canvas.Save(pngPath);
    }

    /// <summary>
    /// Every point of each series as a marker, plus each series' Pareto frontier (see
    /// <see cref="ParetoFrontier.Of"/>) as a line in the same colour. The frontier is computed on the values
    /// themselves; a log axis does not change which points are on it.
    /// </summary>
    /// <param name="pngPath">Where to write the PNG.</param>
    /// <param name="options">Title, labels, scales and size.</param>
    /// <param name="series">At least one series, each with at least one point.</param>
    /// <param name="direction">Which way is better on each axis.</param>
    public static void ScatterWithFrontier(
        string pngPath, ChartOptions options, IReadOnlyList<PlotSeries> series, FrontierDirection direction)
    {
        CheckPointCharts(pngPath, options, series);
        Validation.Defined(direction, nameof(direction));
        using var canvas = new ChartCanvas(options);
        for (int i = 0; i < series.Count; i++)
        {
            ScottPlot.Color color = canvas.ColorOf(i);
            (double[] x, double[] y) = Transform(options, series[i].X, series[i].Y);
            canvas.Add(x, y, color.WithAlpha(0.6), series[i].Name, lineWidth: 0, markerSize: 7);

            var frontier = ParetoFrontier.Of(series[i].X.Zip(series[i].Y), direction);
            (double[] fx, double[] fy) = Transform(options, frontier.Select(p => p.X).ToArray(), frontier.Select(p => p.Y).ToArray());
            canvas.Add(fx, fy, color, legendText: "", lineWidth: 2, markerSize: 0);
        }
        canvas.Save(pngPath);
    }

    /// <summary>
    /// Overlaid step outlines of pre-binned histograms, lightly filled on a linear Y axis. On a
    /// <see cref="AxisScale.Log10"/> Y axis empty bins cannot be drawn and show as gaps in the outline; a series
    /// with no positive count there is rejected. On a Log10 X axis every bin edge must be positive.
    /// </summary>
    /// <param name="pngPath">Where to write the PNG.</param>
    /// <param name="options">Title, labels, scales and size.</param>
    /// <param name="series">At least one histogram.</param>
    public static void Histograms(string pngPath, ChartOptions options, IReadOnlyList<HistogramSeries> series)
    {
        CheckCommon(pngPath, options, series);
        for (int i = 0; i < series.Count; i++)
            Validation.Bins(series[i], i, options, nameof(series));
        using var canvas = new ChartCanvas(options);
        for (int i = 0; i < series.Count; i++)
        {
            ScottPlot.Color color = canvas.ColorOf(i);
            string legend = series[i].Name;
            foreach ((double[] x, double[] y) in StepOutlines(series[i], options.YScale == AxisScale.Log10))
            {
                (double[] tx, double[] ty) = Transform(options, x, y);
                var outline = canvas.Add(tx, ty, color, legend, lineWidth: 2, markerSize: 0);
                if (options.YScale == AxisScale.Linear)
                {
                    outline.FillY = true;
                    outline.FillYValue = 0;
                    outline.FillYColor = color.WithAlpha(0.15);
                }
                legend = ""; // one legend entry per series, however many gaps split its outline
            }
        }
        if (options.YScale == AxisScale.Linear)
            canvas.NoBottomMargin();
        canvas.Save(pngPath);
    }

    /// <summary>
    /// The outline of a histogram as polylines through the bin corners. With <paramref name="positiveOnly"/> (log Y)
    /// the outline breaks at empty bins and has no drops to zero; otherwise it is one polyline from 0 back to 0.
    /// </summary>
    internal static IEnumerable<(double[] X, double[] Y)> StepOutlines(HistogramSeries h, bool positiveOnly)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        if (!positiveOnly)
        {
            xs.Add(h.BinEdges[0]);
            ys.Add(0);
        }
        for (int b = 0; b < h.Counts.Count; b++)
        {
            if (positiveOnly && !(h.Counts[b] > 0))
            {
                if (xs.Count > 0)
                    yield return (xs.ToArray(), ys.ToArray());
                xs.Clear();
                ys.Clear();
                continue;
            }
            xs.Add(h.BinEdges[b]);
            ys.Add(h.Counts[b]);
            xs.Add(h.BinEdges[b + 1]);
            ys.Add(h.Counts[b]);
        }
        if (!positiveOnly)
        {
            xs.Add(h.BinEdges[^1]);
            ys.Add(0);
        }
        if (xs.Count > 0)
            yield return (xs.ToArray(), ys.ToArray());
    }

    private static (double[] X, double[] Y) Transform(ChartOptions options, IEnumerable<double> x, IEnumerable<double> y) =>
        (AxisScaling.Forward(options.XScale, x), AxisScaling.Forward(options.YScale, y));

    private static void CheckPointCharts(string pngPath, ChartOptions options, IReadOnlyList<PlotSeries> series)
    {
        CheckCommon(pngPath, options, series);
        for (int i = 0; i < series.Count; i++)
            Validation.Points(series[i], i, options, nameof(series));
    }

    private static void CheckCommon<T>(string pngPath, ChartOptions options, IReadOnlyList<T> series) where T : class
    {
        if (string.IsNullOrWhiteSpace(pngPath))
            throw new ArgumentException("pngPath is empty.", nameof(pngPath));
        if (Path.EndsInDirectorySeparator(pngPath))
            throw new ArgumentException($"pngPath '{pngPath}' names a folder, not a file.", nameof(pngPath));
        ArgumentNullException.ThrowIfNull(options);
        Validation.NotEmpty(series, nameof(series));
    }
}
