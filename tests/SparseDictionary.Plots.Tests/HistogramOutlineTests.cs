namespace SparseDictionary.Plots.Tests;

public class HistogramOutlineTests
{
    [Fact]
    public void LinearOutlineRunsFromZeroOverEachBinBackToZero()
    {
        var h = new HistogramSeries("h", [0, 1, 2], [3, 5]);
        var outline = Assert.Single(Charts.StepOutlines(h, positiveOnly: false));
        Assert.Equal([0, 0, 1, 1, 2, 2], outline.X);
        Assert.Equal([0, 3, 3, 5, 5, 0], outline.Y);
    }

    [Fact]
    public void PositiveOnlyOutlineBreaksAtEmptyBins()
    {
        var h = new HistogramSeries("h", [0, 1, 2, 3, 4], [0, 3, 0, 5]);
        var outlines = Charts.StepOutlines(h, positiveOnly: true).ToArray();
        Assert.Equal(2, outlines.Length);
        Assert.Equal([1, 2], outlines[0].X);
        Assert.Equal([3, 3], outlines[0].Y);
        Assert.Equal([3, 4], outlines[1].X);
        Assert.Equal([5, 5], outlines[1].Y);
    }
}
