using SkiaSharp;

namespace SparseDictionary.Plots.Tests;

public class ChartRenderingTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static readonly PlotSeries Rising = new("rising", [1, 2, 3, 4], [1, 4, 9, 16]);
    private static readonly PlotSeries Falling = new("falling", [1, 2, 3, 4], [16, 8, 4, 2]);

    private static readonly HistogramSeries LayerA = new("layer 3", [-6, -5, -4, -3, -2, -1], [5, 20, 80, 60, 10]);
    private static readonly HistogramSeries LayerB = new("layer 8", [-6, -5, -4, -3, -2, -1], [15, 40, 50, 30, 0]);

    [Fact]
    public void Lines_WritesAPngOfTheRequestedSize()
    {
        string path = folder.File("lines.png");
        Charts.Lines(path, new ChartOptions("Lines", "x", "y") { Width = 640, Height = 360 }, [Rising, Falling]);
        Assert.Equal((640, 360), Png.Header(path));
    }

    [Fact]
    public void DefaultSizeIs900By600()
    {
        string path = folder.File("default.png");
        Charts.Lines(path, new ChartOptions("", "", ""), [Rising]);
        Assert.Equal((900, 600), Png.Header(path));
    }

    [Fact]
    public void Lines_DrawsEachSeriesInItsOwnColour()
    {
        string path = folder.File("lines.png");
        Charts.Lines(path, new ChartOptions("Lines", "x", "y"), [Rising, Falling]);
        using SKBitmap bitmap = Png.Decode(path);
        Assert.True(Png.HueBuckets(bitmap, minPixels: 200) >= 2, "expected two clearly different series colours");
    }

    [Fact]
    public void Lines_PutsColourWhereTheSeriesIsAndNowhereElse()
    {
        // y = x from (0, 0) to (10, 10) fills the data area's diagonal: colour near the lower-left and upper-right
        // corners, none in the upper-left and lower-right corners (the legend sits on the right edge, mid-height).
        string path = folder.File("diagonal.png");
        Charts.Lines(path, new ChartOptions("", "", ""), [new PlotSeries("y = x", [0, 10], [0, 10])]);
        using SKBitmap b = Png.Decode(path);
        int w = b.Width, h = b.Height;
        Assert.True(Png.Count(b, w / 20, h * 3 / 4, w / 4, h * 19 / 20, Png.IsColourful) > 50, "nothing at the lower left");
        Assert.True(Png.Count(b, w * 3 / 5, h / 20, w * 5 / 6, h / 4, Png.IsColourful) > 50, "nothing at the upper right");
        Assert.Equal(0, Png.Count(b, 0, 0, w / 3, h / 3, Png.IsColourful));
        Assert.Equal(0, Png.Count(b, w / 2, h * 2 / 3, w * 5 / 6, h, Png.IsColourful));
    }

    [Fact]
    public void Lines_OnLogAxes()
    {
        string path = folder.File("loglog.png");
        var options = new ChartOptions("MSE", "step", "mse") { XScale = AxisScale.Log10, YScale = AxisScale.Log10 };
        Charts.Lines(path, options, [new PlotSeries("run", [1, 10, 100, 1000], [1, 0.1, 0.01, 0.001])]);
        Assert.Equal((900, 600), Png.Header(path));
        using SKBitmap b = Png.Decode(path);
        // A power law is a straight line on log-log axes: colour at both ends of the falling diagonal.
        int w = b.Width, h = b.Height;
        Assert.True(Png.Count(b, w / 20, h / 20, w / 4, h / 4, Png.IsColourful) > 50, "nothing at the upper left");
        Assert.True(Png.Count(b, w * 3 / 5, h * 3 / 4, w * 5 / 6, h * 19 / 20, Png.IsColourful) > 50, "nothing at the lower right");
    }

    [Fact]
    public void ASinglePointOnLogAxesStillRenders()
    {
        // Zero-width data ranges: the axes get ScottPlot's default span around the point.
        string path = folder.File("one.png");
        var options = new ChartOptions("one", "x", "y") { XScale = AxisScale.Log10, YScale = AxisScale.Log10 };
        Charts.ScatterWithFrontier(path, options, [new PlotSeries("p", [50], [0.3])], FrontierDirection.MinimiseXMaximiseY);
        using SKBitmap b = Png.Decode(path);
        Assert.True(Png.Count(b, 0, 0, b.Width, b.Height, Png.IsColourful) > 20);
    }

    [Fact]
    public void ScatterWithFrontier_WritesANonBlankPng()
    {
        string path = folder.File("frontier.png");
        var a = new PlotSeries("standard", [10, 20, 40, 80, 15, 60], [0.5, 0.6, 0.7, 0.8, 0.4, 0.65]);
        var b = new PlotSeries("gated", [12, 25, 50, 90, 30], [0.6, 0.7, 0.85, 0.9, 0.6]);
        Charts.ScatterWithFrontier(path, new ChartOptions("L0 vs loss recovered", "L0", "loss recovered") { XScale = AxisScale.Log10 },
            [a, b], FrontierDirection.MinimiseXMaximiseY);
        Assert.Equal((900, 600), Png.Header(path));
        using SKBitmap bitmap = Png.Decode(path);
        Assert.True(Png.HueBuckets(bitmap, minPixels: 200) >= 2, "expected two clearly different series colours");
    }

    [Fact]
    public void Histograms_WritesANonBlankPng()
    {
        string path = folder.File("hist.png");
        Charts.Histograms(path, new ChartOptions("Feature density", "log10 density", "features") { Width = 500, Height = 400 },
            [LayerA, LayerB]);
        Assert.Equal((500, 400), Png.Header(path));
        using SKBitmap bitmap = Png.Decode(path);
        Assert.True(Png.HueBuckets(bitmap, minPixels: 200) >= 2, "expected two clearly different series colours");
    }

    [Fact]
    public void Histograms_OnALogYAxisDrawEmptyBinsAsGaps()
    {
        string path = folder.File("hist-log.png");
        Charts.Histograms(path, new ChartOptions("", "", "") { YScale = AxisScale.Log10 }, [LayerA, LayerB]);
        Assert.Equal((900, 600), Png.Header(path));
    }

    [Fact]
    public void TextRenders()
    {
        // Both charts: same data, no labels. Above the data area's top frame line, away from the tick labels at the
        // sides, only the title can put ink.
        string titled = folder.File("titled.png"), untitled = folder.File("untitled.png");
        Charts.Lines(titled, new ChartOptions("WWWW A long title that must appear in the picture WWWW", "", ""), [Rising]);
        Charts.Lines(untitled, new ChartOptions("", "", ""), [Rising]);
        using SKBitmap withTitle = Png.Decode(titled), withoutTitle = Png.Decode(untitled);
        int Ink(SKBitmap b) => Png.Count(b, b.Width / 5, 0, b.Width * 4 / 5, FrameTop(b) - 2, Png.IsDark);
        int inkWithTitle = Ink(withTitle), inkWithoutTitle = Ink(withoutTitle);
        Assert.True(inkWithTitle > 500, $"only {inkWithTitle} dark pixels above the data area of the titled chart");
        Assert.Equal(0, inkWithoutTitle);
    }

    [Fact]
    public void TheEmbeddedFontIsWhatScottPlotResolves()
    {
        // Without it, a machine with no fonts gets charts with no text at all (TextRenders catches that there).
        Charts.Lines(folder.File("any.png"), new ChartOptions("t", "x", "y"), [Rising]);
        string name = EmbeddedFont.FamilyName;
        Assert.Equal(name, ScottPlot.Fonts.Default);
        Assert.True(EmbeddedFont.Typeface.GlyphCount > 1000);
        Assert.Same(EmbeddedFont.Typeface, ScottPlot.Fonts.GetTypeface(name, bold: false, italic: false));
        Assert.Same(EmbeddedFont.Typeface, ScottPlot.Fonts.GetTypeface(name, bold: true, italic: false));
    }

    /// <summary>The first row whose middle third is almost all dark: the top edge of the data area's frame.</summary>
    private static int FrameTop(SKBitmap b)
    {
        for (int y = 0; y < b.Height; y++)
            if (Png.Count(b, b.Width / 3, y, b.Width * 2 / 3, y + 1, Png.IsDark) > b.Width / 3 * 9 / 10)
                return y;
        throw new InvalidOperationException("no frame line found");
    }
}
