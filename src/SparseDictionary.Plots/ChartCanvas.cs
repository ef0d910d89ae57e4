using ScottPlot;
using ScottPlot.Plottables;

namespace SparseDictionary.Plots;

/// <summary>
/// One ScottPlot figure set up from <see cref="ChartOptions"/>: embedded font, title, labels, log axes, a legend
/// outside the data area, and an atomic PNG save. Coordinates given to it are already in axis space (log10 on a
/// <see cref="AxisScale.Log10"/> axis).
/// </summary>
internal sealed class ChartCanvas : IDisposable
{
    private readonly Plot plot = new();
    private readonly ChartOptions options;
    private bool hasLegendText;

    public ChartCanvas(ChartOptions options)
    {
        this.options = options;
        string font = EmbeddedFont.EnsureRegistered();
        plot.Font.Set(font);
        plot.Legend.FontName = font;
        plot.Title(options.Title);
        plot.XLabel(options.XLabel);
        plot.YLabel(options.YLabel);
    }

    /// <summary>The i-th colour of the palette, so a series' points and frontier share a colour.</summary>
    public Color ColorOf(int index) => plot.Add.Palette.GetColor(index);

    /// <summary>Adds a polyline and/or markers; width or size 0 leaves that part out.</summary>
    public Scatter Add(double[] x, double[] y, Color color, string legendText, float lineWidth, float markerSize)
    {
        Scatter scatter = plot.Add.Scatter(x, y, color);
        scatter.LineWidth = lineWidth;
        scatter.MarkerSize = markerSize;
        scatter.MarkerShape = markerSize > 0 ? MarkerShape.FilledCircle : MarkerShape.None;
        scatter.LegendText = legendText;
        hasLegendText |= legendText.Length > 0;
        return scatter;
    }

    /// <summary>Lets the data touch the bottom of the data area (histograms start at a count of zero).</summary>
    public void NoBottomMargin() => plot.Axes.Margins(left: 0.05, right: 0.05, bottom: 0, top: 0.07);

    /// <summary>Renders and writes the PNG atomically.</summary>
    public void Save(string pngPath)
    {
        AxisScaling.Apply(plot.Axes.Bottom, options.XScale);
        AxisScaling.Apply(plot.Axes.Left, options.YScale);
        if (hasLegendText)
            plot.ShowLegend(Edge.Right);
        byte[] png = plot.GetImageBytes(options.Width, options.Height, ImageFormat.Png);
        AtomicPng.Write(pngPath, png);
    }

    public void Dispose() => plot.Dispose();
}
