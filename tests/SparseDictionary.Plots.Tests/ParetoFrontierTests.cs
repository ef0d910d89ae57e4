namespace SparseDictionary.Plots.Tests;

public class ParetoFrontierTests
{
    [Fact]
    public void MinimiseXMaximiseY_KeepsTheUpperLeftStaircase()
    {
        (double, double)[] points = [(1, 0.5), (2, 0.7), (3, 0.6), (4, 0.9), (0.5, 0.1), (5, 0.85), (6, 0.9)];
        // (3, 0.6) loses to (2, 0.7); (5, 0.85) and (6, 0.9) lose to (4, 0.9).
        Assert.Equal([(0.5, 0.1), (1, 0.5), (2, 0.7), (4, 0.9)], ParetoFrontier.Of(points, FrontierDirection.MinimiseXMaximiseY));
    }

    [Fact]
    public void MinimiseXMinimiseY_KeepsTheLowerLeftStaircase()
    {
        (double, double)[] points = [(1, 5), (2, 3), (3, 4), (4, 1), (5, 2), (4, 1.5)];
        Assert.Equal([(1, 5), (2, 3), (4, 1)], ParetoFrontier.Of(points, FrontierDirection.MinimiseXMinimiseY));
    }

    [Fact]
    public void TiesOnX_KeepOnlyTheBestY()
    {
        (double, double)[] points = [(1, 1), (1, 3), (1, 2)];
        Assert.Equal([(1, 3)], ParetoFrontier.Of(points, FrontierDirection.MinimiseXMaximiseY));
        Assert.Equal([(1, 1)], ParetoFrontier.Of(points, FrontierDirection.MinimiseXMinimiseY));
    }

    [Fact]
    public void TiesOnY_KeepOnlyTheSmallestX()
    {
        (double, double)[] points = [(3, 2), (1, 2), (2, 2)];
        Assert.Equal([(1, 2)], ParetoFrontier.Of(points, FrontierDirection.MinimiseXMaximiseY));
        Assert.Equal([(1, 2)], ParetoFrontier.Of(points, FrontierDirection.MinimiseXMinimiseY));
    }

    [Fact]
    public void DuplicatesAppearOnce()
    {
        (double, double)[] points = [(2, 3), (1, 1), (2, 3), (1, 1), (1, 1)];
        Assert.Equal([(1, 1), (2, 3)], ParetoFrontier.Of(points, FrontierDirection.MinimiseXMaximiseY));
        Assert.Equal([(1, 1)], ParetoFrontier.Of(points, FrontierDirection.MinimiseXMinimiseY));
    }

    [Fact]
    public void EmptyAndSinglePointSets()
    {
        Assert.Empty(ParetoFrontier.Of([], FrontierDirection.MinimiseXMaximiseY));
        Assert.Equal([(7, -2)], ParetoFrontier.Of([(7, -2)], FrontierDirection.MinimiseXMinimiseY));
    }

    [Theory]
    [InlineData(FrontierDirection.MinimiseXMaximiseY)]
    [InlineData(FrontierDirection.MinimiseXMinimiseY)]
    public void MatchesTheDefinitionOnRandomSets(FrontierDirection direction)
    {
        var random = new Random(12345);
        for (int trial = 0; trial < 300; trial++)
        {
            // Small integer coordinates force many ties and duplicates.
            var points = Enumerable.Range(0, random.Next(0, 25))
                .Select(_ => ((double)random.Next(0, 8), (double)random.Next(0, 8)))
                .ToArray();
            Assert.Equal(BruteForce(points, direction), ParetoFrontier.Of(points, direction));
        }
    }

    [Fact]
    public void NonFinitePointsAreRejectedByIndex()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ParetoFrontier.Of([(1, 1), (2, 2), (3, double.NaN)], FrontierDirection.MinimiseXMaximiseY));
        Assert.Equal("points", e.ParamName);
        Assert.Contains("points[2].Y", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            ParetoFrontier.Of([(double.PositiveInfinity, 1)], FrontierDirection.MinimiseXMaximiseY));
        Assert.Contains("points[0].X", e.Message);
    }

    [Fact]
    public void UndefinedDirectionIsRejected()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => ParetoFrontier.Of([(1, 1)], (FrontierDirection)9));
        Assert.Equal("direction", e.ParamName);
    }

    /// <summary>The definition, quadratically: distinct points that no other point dominates, sorted by X.</summary>
    private static List<(double X, double Y)> BruteForce((double X, double Y)[] points, FrontierDirection direction)
    {
        bool Better(double a, double b) => direction == FrontierDirection.MinimiseXMaximiseY ? a > b : a < b;
        bool Dominates((double X, double Y) p, (double X, double Y) q) =>
            p.X <= q.X && (Better(p.Y, q.Y) || p.Y == q.Y) && (p.X < q.X || Better(p.Y, q.Y));
        return points.Distinct().Where(q => !points.Any(p => Dominates(p, q))).OrderBy(p => p.X).ToList();
    }
}
