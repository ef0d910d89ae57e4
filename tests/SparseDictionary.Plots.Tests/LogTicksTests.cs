namespace SparseDictionary.Plots.Tests;

public class LogTicksTests
{
    [Theory]
    [InlineData(0, 1, "1")]
    [InlineData(2, 1, "100")]
    [InlineData(-2, 5, "0.05")]
    [InlineData(-3, 2, "0.002")]
    [InlineData(5, 3, "300000")]
    [InlineData(-4, 1, "1e-4")]
    [InlineData(6, 2, "2e6")]
    public void LabelsShowTheValueNotTheExponent(int k, int m, string expected) =>
        Assert.Equal(expected, LogTickGenerator.Label(k, m));

    [Fact]
    public void WideRangesLabelPowersOfTenOnly()
    {
        // Six decades on 200 px: 33 px a decade leaves room for labels at powers of ten only.
        var ticks = LogTickGenerator.Generate(-3, 3, 200, vertical: true);
        Assert.Equal(["0.001", "0.01", "0.1", "1", "10", "100", "1000"], ticks.Where(t => t.IsMajor).Select(t => t.Label));
        // Minor ticks at 2..9 times each power, all inside the range.
        Assert.Equal(6 * 8, ticks.Count(t => !t.IsMajor));
    }

    [Fact]
    public void NarrowRangesLabelEveryMultiple()
    {
        var ticks = LogTickGenerator.Generate(Math.Log10(2), Math.Log10(7), 500, vertical: true);
        Assert.Equal(["2", "3", "4", "5", "6", "7"], ticks.Where(t => t.IsMajor).Select(t => t.Label));
        foreach (var t in ticks)
            Assert.Equal(Math.Log10(double.Parse(t.Label, System.Globalization.CultureInfo.InvariantCulture)), t.Position, 12);
    }

    [Fact]
    public void CrowdedRangesSkipDecadesAndMinorTicks()
    {
        var ticks = LogTickGenerator.Generate(-10, 10, 200, vertical: true);
        var majors = ticks.Where(t => t.IsMajor).Select(t => t.Position).ToArray();
        Assert.True(majors.Length is >= 2 and <= 8, $"{majors.Length} labels on a 200 px axis");
        Assert.All(majors, p => Assert.Equal(Math.Round(p), p));
        Assert.DoesNotContain(ticks, t => !t.IsMajor);
    }
}
