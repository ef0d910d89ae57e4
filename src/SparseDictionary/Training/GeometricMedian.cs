using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>The geometric median <c>argmin_y Σᵢ ‖xᵢ − y‖</c>, by Weiszfeld's algorithm (used to initialise <c>b_dec</c>).</summary>
public static class GeometricMedian
{
    /// <summary>The geometric median of the rows of <paramref name="points"/> <c>[n, d]</c>, computed in float64.</summary>
    /// <param name="points">Sample points, any device.</param>
    /// <param name="maxIterations">Iteration cap.</param>
    /// <param name="tolerance">Stop when a step moves the estimate by less than this times its norm.</param>
    /// <returns>A <c>[d]</c> tensor in the dtype and device of <paramref name="points"/>.</returns>
    public static Tensor Compute(Tensor points, int maxIterations = 100, double tolerance = 1e-7)
    {
        if (points.dim() != 2 || points.shape[0] == 0)
        {
            throw new ArgumentException($"Expected a non-empty [n, d] tensor, got [{string.Join(", ", points.shape)}].", nameof(points));
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = points.to(ScalarType.Float64);
        var y = x.mean([0]);
        for (int i = 0; i < maxIterations; i++)
        {
            // Weights 1/distance; the clamp keeps a point that coincides with the estimate from dividing by zero.
            var w = 1.0 / (x - y).norm(1).clamp_min(1e-12);
            var next = (w.unsqueeze(1) * x).sum(dim: 0) / w.sum();
            double moved = (next - y).norm().ToDouble();
            y = next;
            if (moved <= tolerance * (y.norm().ToDouble() + 1e-12)) break;
        }
        return y.to(points.dtype).MoveToOuterDisposeScope();
    }
}
