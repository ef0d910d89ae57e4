namespace SparseDictionary.Plots.Tests;

/// <summary>Bad input throws an ArgumentException naming the field, and nothing is written.</summary>
public class ValidationTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly ChartOptions options = new("t", "x", "y");
    private static readonly PlotSeries Good = new("good", [1, 2], [3, 4]);

    public void Dispose() => folder.Dispose();

    private ArgumentException FailsWritingNothing(Action<string> draw)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => draw(folder.File("chart.png")));
        Assert.Empty(folder.Entries());
        return e;
    }

    [Fact]
    public void EmptySeriesList()
    {
        var e = FailsWritingNothing(p => Charts.Lines(p, options, []));
        Assert.Equal("series", e.ParamName);
        Assert.Contains("empty", e.Message);
        e = FailsWritingNothing(p => Charts.Histograms(p, options, []));
        Assert.Equal("series", e.ParamName);
        e = FailsWritingNothing(p => Charts.ScatterWithFrontier(p, options, null!, FrontierDirection.MinimiseXMaximiseY));
        Assert.Equal("series", e.ParamName);
    }

    [Fact]
    public void NullSeriesEntry()
    {
        var e = FailsWritingNothing(p => Charts.Lines(p, options, [Good, null!]));
        Assert.Contains("series[1]", e.Message);
    }

    [Fact]
    public void MismatchedLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => new PlotSeries("a", [1, 2, 3], [1, 2]));
        Assert.Equal("Y", e.ParamName);
        // A with-expression skips the constructor; the chart checks again.
        var sneaky = Good with { Y = [1.0] };
        e = FailsWritingNothing(p => Charts.Lines(p, options, [Good, sneaky]));
        Assert.Equal("series", e.ParamName);
        Assert.Contains("series[1] ('good').Y", e.Message);
    }

    [Fact]
    public void SeriesWithNoPoints()
    {
        var e = FailsWritingNothing(p => Charts.Lines(p, options, [new PlotSeries("none", [], [])]));
        Assert.Contains("series[0] ('none') has no points", e.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteValues(double bad)
    {
        var e = FailsWritingNothing(p => Charts.Lines(p, options, [Good, new PlotSeries("b", [1, 2, 3], [1, 2, bad])]));
        Assert.Contains("series[1] ('b').Y[2]", e.Message);
        e = FailsWritingNothing(p => Charts.ScatterWithFrontier(p, options, [new PlotSeries("c", [bad], [1])],
            FrontierDirection.MinimiseXMinimiseY));
        Assert.Contains("series[0] ('c').X[0]", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void NonPositiveValuesOnALogAxis(double bad)
    {
        var e = FailsWritingNothing(p => Charts.Lines(p, options with { XScale = AxisScale.Log10 }, [new PlotSeries("a", [1, bad], [1, 1])]));
        Assert.Contains("series[0] ('a').X[1]", e.Message);
        Assert.Contains("Log10", e.Message);
        e = FailsWritingNothing(p => Charts.ScatterWithFrontier(p, options with { YScale = AxisScale.Log10 },
            [new PlotSeries("a", [1, 2], [bad, 1])], FrontierDirection.MinimiseXMaximiseY));
        Assert.Contains("series[0] ('a').Y[0]", e.Message);
        // The same values are fine on linear axes.
        Charts.Lines(folder.File("linear.png"), options, [new PlotSeries("a", [1, bad], [bad, 1])]);
    }

    [Fact]
    public void BadHistogramSeries()
    {
        var e = Assert.Throws<ArgumentException>(() => new HistogramSeries("h", [0, 1, 1], [1, 2]));
        Assert.Equal("BinEdges", e.ParamName);
        Assert.Contains("BinEdges[2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => new HistogramSeries("h", [0], []));
        Assert.Equal("BinEdges", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new HistogramSeries("h", [0, 1, 2], [1, 2, 3]));
        Assert.Equal("Counts", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new HistogramSeries("h", [0, 1, 2], [1, -2]));
        Assert.Contains("Counts[1]", e.Message);
        e = Assert.Throws<ArgumentException>(() => new HistogramSeries("h", [0, double.NaN], [1]));
        Assert.Contains("BinEdges[1]", e.Message);

        var sneaky = new HistogramSeries("h", [0, 1], [1]) with { Counts = [1, 2] };
        e = FailsWritingNothing(p => Charts.Histograms(p, options, [sneaky]));
        Assert.Equal("series", e.ParamName);
        Assert.Contains("series[0] ('h').Counts", e.Message);
    }

    [Fact]
    public void HistogramsOnLogAxes()
    {
        var h = new HistogramSeries("h", [0, 1, 2], [0, 3]);
        var e = FailsWritingNothing(p => Charts.Histograms(p, options with { XScale = AxisScale.Log10 }, [h]));
        Assert.Contains("series[0] ('h').BinEdges[0]", e.Message);
        var empty = new HistogramSeries("empty", [1, 2, 3], [0, 0]);
        e = FailsWritingNothing(p => Charts.Histograms(p, options with { YScale = AxisScale.Log10 }, [h, empty]));
        Assert.Contains("series[1] ('empty').Counts", e.Message);
        // Empty bins beside positive ones are fine on a log Y axis (drawn as gaps).
        Charts.Histograms(folder.File("ok.png"), options with { YScale = AxisScale.Log10 }, [h]);
    }

    [Fact]
    public void BadChartOptions()
    {
        Assert.Equal("Width", Assert.ThrowsAny<ArgumentException>(() => options with { Width = 0 }).ParamName);
        Assert.Equal("Height", Assert.ThrowsAny<ArgumentException>(() => options with { Height = 100_000 }).ParamName);
        Assert.Equal("XScale", Assert.ThrowsAny<ArgumentException>(() => options with { XScale = (AxisScale)5 }).ParamName);
        Assert.Equal("YScale", Assert.ThrowsAny<ArgumentException>(() => options with { YScale = (AxisScale)(-1) }).ParamName);
        Assert.Equal("Title", Assert.ThrowsAny<ArgumentException>(() => new ChartOptions(null!, "", "")).ParamName);
        Assert.Equal("YLabel", Assert.ThrowsAny<ArgumentException>(() => new ChartOptions("", "", null!)).ParamName);
        Assert.Equal("options", FailsWritingNothing(p => Charts.Lines(p, null!, [Good])).ParamName);
    }

    [Fact]
    public void BadPathOrDirection()
    {
        Assert.Equal("pngPath", Assert.ThrowsAny<ArgumentException>(() => Charts.Lines("", options, [Good])).ParamName);
        Assert.Equal("pngPath", Assert.ThrowsAny<ArgumentException>(() => Charts.Lines(folder.Path + "/", options, [Good])).ParamName);
        var e = FailsWritingNothing(p => Charts.ScatterWithFrontier(p, options, [Good], (FrontierDirection)3));
        Assert.Equal("direction", e.ParamName);
    }
}
