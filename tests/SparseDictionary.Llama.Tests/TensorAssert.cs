using Xunit;

namespace SparseDictionary.Llama.Tests;

internal static class TensorAssert
{
    /// <summary>The largest absolute difference, in float64.</summary>
    public static double MaxAbsDiff(torch.Tensor expected, torch.Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = torch.NewDisposeScope();
        return (expected.to(torch.ScalarType.Float64) - actual.to(torch.ScalarType.Float64)).abs().max().ToDouble();
    }

    /// <summary>Asserts every element is within <paramref name="tolerance"/> and returns the largest difference.</summary>
    public static double Close(torch.Tensor expected, torch.Tensor actual, double tolerance, string what)
    {
        double diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= tolerance, $"{what}: max |difference| {diff:G3} exceeds {tolerance:G3}.");
        return diff;
    }
}
