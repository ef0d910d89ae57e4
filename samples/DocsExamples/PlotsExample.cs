using SparseDictionary.Plots;

namespace SparseDictionary.DocsExamples;

/// <summary>docs/plots.md: the three charts and the frontier.</summary>
public static class PlotsExample
{
    /// <summary>Draws the charts of the docs' example.</summary>
    public static IReadOnlyList<(double X, double Y)> Draw(
        double[] l0s, double[] lossRecovered, double[] gatedL0s, double[] gatedLossRecovered, IReadOnlyList<PlotSeries> series,
        double[] binEdges, double[] counts, IReadOnlyList<(double X, double Y)> points)
    {
        // <docs/plots.md>
        var options = new ChartOptions("L0 vs loss recovered, layer 3", "L0", "fraction of loss recovered")
        {
            XScale = AxisScale.Log10, // Width = 900, Height = 600 by default
        };
        Charts.ScatterWithFrontier("out/frontier.png", options,
            [new PlotSeries("standard SAE", l0s, lossRecovered), new PlotSeries("gated SAE", gatedL0s, gatedLossRecovered)],
            FrontierDirection.MinimiseXMaximiseY);
        Charts.Lines("out/mse.png", new ChartOptions("MSE by step", "step", "MSE") { YScale = AxisScale.Log10 }, series);
        Charts.Histograms("out/density.png", new ChartOptions("Feature density", "log10 firing frequency", "features"),
            [new HistogramSeries("layer 3", binEdges, counts)]);
        IReadOnlyList<(double X, double Y)> front = ParetoFrontier.Of(points, FrontierDirection.MinimiseXMaximiseY);
        // </docs/plots.md>
        return front;
    }
}
