using SparseDictionary.Tests.Autoencoders;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

public class GeometricMedianTests
{
    [Fact]
    public void OneDimensionalMedianIsTheMedianNotTheMean()
    {
        using var scope = NewDisposeScope();
        // argmin_y Σ|xᵢ − y| over {0, 1, 2, 3, 100} is the median 2; the mean would be 106/5 = 21.2.
        var points = tensor(new double[,] { { 0 }, { 1 }, { 2 }, { 3 }, { 100 } });
        var median = GeometricMedian.Compute(points);
        TensorAssert.Close(new[] { 2.0 }, median, 1e-9);
    }

    [Fact]
    public void CornersOfASquareGiveItsCentre()
    {
        using var scope = NewDisposeScope();
        var points = tensor(new double[,] { { 1, 1 }, { 3, 1 }, { 3, 3 }, { 1, 3 } });
        TensorAssert.Close(new[] { 2.0, 2.0 }, GeometricMedian.Compute(points), 1e-12);
    }

    [Fact]
    public void ConvexQuadrilateralGivesTheIntersectionOfItsDiagonals()
    {
        using var scope = NewDisposeScope();
        // Known solution: for four points in convex position the geometric median is where the diagonals cross.
        // Diagonal (0,0)–(10,10) is y = x; diagonal (4,0)–(0,3) is x/4 + y/3 = 1; so x(1/4 + 1/3) = 1, x = y = 12/7.
        // The starting mean (3.5, 3.25) is far from it.
        var points = tensor(new double[,] { { 0, 0 }, { 4, 0 }, { 10, 10 }, { 0, 3 } });
        var median = GeometricMedian.Compute(points, maxIterations: 10_000, tolerance: 1e-14);
        TensorAssert.Close(new[] { 12.0 / 7, 12.0 / 7 }, median, 1e-9);
    }

    [Fact]
    public void AsymmetricCaseMatchesBruteForceMinimisation()
    {
        using var scope = NewDisposeScope();
        double[][] pts = [[0, 0], [6, 0], [1, 5], [9, 8], [-2, 4], [3, -1]];
        var (bx, by) = BruteForce(pts);
        double best = Objective(pts, bx, by);
        var points = tensor(pts.SelectMany(p => p).ToArray(), new long[] { pts.Length, 2 });

        // Run to convergence: the same point as the independent minimisation.
        var tight = TensorAssert.Values(GeometricMedian.Compute(points, maxIterations: 10_000, tolerance: 1e-14));
        Assert.Equal(bx, tight[0], 1e-9);
        Assert.Equal(by, tight[1], 1e-9);

        // With the defaults: the objective is within 1e-9 (relative) of the minimum and far below the mean's.
        var byDefault = TensorAssert.Values(GeometricMedian.Compute(points));
        double value = Objective(pts, byDefault[0], byDefault[1]);
        Assert.True(value - best <= 1e-9 * best, $"objective {value:R} vs minimum {best:R}");
        double meanValue = Objective(pts, pts.Average(p => p[0]), pts.Average(p => p[1]));
        Assert.True(meanValue - best > 1e-3);
    }

    [Fact]
    public void CoincidingPointsDoNotProduceNaN()
    {
        using var scope = NewDisposeScope();
        // All points equal: the median is that point.
        var same = GeometricMedian.Compute(tensor(new double[,] { { 1, 2 }, { 1, 2 }, { 1, 2 } }));
        TensorAssert.Close(new[] { 1.0, 2.0 }, same, 1e-12);

        // The starting estimate (the mean, the origin) lands exactly on two coinciding points (distance 0); by symmetry
        // the median is the origin.
        var onPoint = GeometricMedian.Compute(tensor(new double[,] { { 0, 0 }, { 0, 0 }, { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } }));
        Assert.False(onPoint.isnan().any().ToBoolean());
        TensorAssert.Close(new[] { 0.0, 0.0 }, onPoint, 1e-9);

        // Duplicates away from the start: {2, 2, 5} in 1-D has median 2. Near a doubled point Weiszfeld only converges
        // linearly (error halves per step), so with the default stopping rule (step < 1e-7·‖y‖) the error is ~1e-7·‖y‖;
        // run to a tight tolerance the estimate lands on the point itself.
        var points = tensor(new double[,] { { 2 }, { 2 }, { 5 } });
        var dup = GeometricMedian.Compute(points);
        Assert.False(dup.isnan().any().ToBoolean());
        TensorAssert.Close(new[] { 2.0 }, dup, 1e-6);
        TensorAssert.Close(new[] { 2.0 }, GeometricMedian.Compute(points, maxIterations: 1000, tolerance: 1e-14), 1e-11);
    }

    [Fact]
    public void KeepsTheInputDtypeAndRejectsBadShapes()
    {
        using var scope = NewDisposeScope();
        var median = GeometricMedian.Compute(tensor(new float[,] { { 0, 0 }, { 2, 0 }, { 2, 2 }, { 0, 2 } }));
        Assert.Equal(ScalarType.Float32, median.dtype);
        TensorAssert.Close(new[] { 1.0, 1.0 }, median, 1e-6);
        Assert.Throws<ArgumentException>(() => GeometricMedian.Compute(zeros(3)));
        Assert.Throws<ArgumentException>(() => GeometricMedian.Compute(zeros(0, 2)));
    }

    private static double Objective(double[][] pts, double x, double y) =>
        pts.Sum(p => Math.Sqrt((p[0] - x) * (p[0] - x) + (p[1] - y) * (p[1] - y)));

    /// <summary>
    /// Grid search over the bounding box, a compass search that halves its step down to 1e-13, then Newton steps on
    /// ∇Σ‖xᵢ − y‖ = Σ (y − xᵢ)/‖y − xᵢ‖ (the compass search alone is limited to ~1e-7 by rounding in the objective).
    /// </summary>
    private static (double X, double Y) BruteForce(double[][] pts)
    {
        double minX = pts.Min(p => p[0]), maxX = pts.Max(p => p[0]);
        double minY = pts.Min(p => p[1]), maxY = pts.Max(p => p[1]);
        double bx = minX, by = minY, best = double.MaxValue;
        const int n = 200;
        for (int i = 0; i <= n; i++)
        {
            for (int j = 0; j <= n; j++)
            {
                double x = minX + (maxX - minX) * i / n, y = minY + (maxY - minY) * j / n;
                double v = Objective(pts, x, y);
                if (v < best) (bx, by, best) = (x, y, v);
            }
        }
        double h = Math.Max(maxX - minX, maxY - minY) / n;
        (double, double)[] directions = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)];
        while (h > 1e-13)
        {
            bool moved = false;
            foreach (var (dx, dy) in directions)
            {
                double v = Objective(pts, bx + h * dx, by + h * dy);
                if (v < best)
                {
                    (bx, by, best) = (bx + h * dx, by + h * dy, v);
                    moved = true;
                    break;
                }
            }
            if (!moved) h /= 2;
        }
        for (int k = 0; k < 10; k++)
        {
            double gx = 0, gy = 0, hxx = 0, hxy = 0, hyy = 0;
            foreach (var p in pts)
            {
                double dx = bx - p[0], dy = by - p[1], r = Math.Sqrt(dx * dx + dy * dy);
                double ux = dx / r, uy = dy / r;
                gx += ux;
                gy += uy;
                hxx += (1 - ux * ux) / r;
                hxy -= ux * uy / r;
                hyy += (1 - uy * uy) / r;
            }
            double det = hxx * hyy - hxy * hxy;
            bx -= (hyy * gx - hxy * gy) / det;
            by -= (hxx * gy - hxy * gx) / det;
        }
        return (bx, by);
    }
}
