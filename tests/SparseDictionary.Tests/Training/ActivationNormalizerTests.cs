using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

public class ActivationNormalizerTests
{
    [Fact]
    public void EstimateScaleIsSqrtDInOverMeanNorm()
    {
        using var scope = NewDisposeScope();
        // Norms 5, 1, 10 → mean 16/3; d_in = 2 → s = √2 · 3/16.
        var sample = tensor(new double[,] { { 3, 4 }, { 0, 1 }, { 6, -8 } });
        double s = ActivationNormalizer.EstimateScale(sample);
        Assert.Equal(Math.Sqrt(2) * 3 / 16, s, 1e-12);
        // After scaling the mean norm is √d_in.
        Assert.Equal(Math.Sqrt(2), (sample * s).norm(1).mean().ToDouble(), 1e-12);
    }

    [Fact]
    public void ScaledRandomSampleHasMeanNormSqrtDIn()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        var sample = randn(new long[] { 64, 9 }, generator: generator) * 7 + 3;   // float32 input
        double s = ActivationNormalizer.EstimateScale(sample);
        Assert.Equal(3.0, (sample.to(ScalarType.Float64) * s).norm(1).mean().ToDouble(), 1e-6);
    }

    [Fact]
    public void ZeroActivationsCannotBeNormalised()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => ActivationNormalizer.EstimateScale(zeros(4, 3)));
        Assert.Equal("sample", ex.ParamName);
    }
}
