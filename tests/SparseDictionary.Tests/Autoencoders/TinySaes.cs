using SparseDictionary.Autoencoders;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>
/// Hand-set float64 SAEs shared by the forward and loss tests. Every number the tests expect from them is worked out by
/// hand in the tests' comments; the intermediate values are repeated here for reference.
/// </summary>
internal static class TinySaes
{
    /// <summary>
    /// StandardSae d_in 2, d_sae 3:
    /// W_enc = [[1, −1, −2], [2, 1, 0.5]], b_enc = [0.5, −0.5, 0.25],
    /// W_dec = [[0.2, 0], [0, 0.5], [−0.4, 0.2]], b_dec = [1, −1].
    /// </summary>
    public static StandardSae Standard()
    {
        var sae = new StandardSae(2, 3, dtype: ScalarType.Float64);
        Set(sae, "W_enc", tensor(new double[,] { { 1, -1, -2 }, { 2, 1, 0.5 } }));
        Set(sae, "b_enc", tensor(new double[] { 0.5, -0.5, 0.25 }));
        Set(sae, "W_dec", tensor(new double[,] { { 0.2, 0 }, { 0, 0.5 }, { -0.4, 0.2 } }));
        Set(sae, "b_dec", tensor(new double[] { 1, -1 }));
        return sae;
    }

    /// <summary>
    /// The two tokens fed to <see cref="Standard"/>: x = [[2, 1], [0, 3]], so x − b_dec = [[1, 2], [−1, 4]] and
    /// pre = [[5.5, 0.5, −0.75], [7.5, 4.5, 4.25]], f = [[5.5, 0.5, 0], [7.5, 4.5, 4.25]],
    /// x̂ = [[2.1, −0.75], [0.8, 2.1]].
    /// </summary>
    public static Tensor StandardInput() => tensor(new double[,] { { 2, 1 }, { 0, 3 } });

    /// <summary>
    /// GatedSae d_in 2, d_sae 3:
    /// W_gate = [[2, −1, 2], [0, 0.5, −1]], b_gate = [−3, 1, 0.5], b_mag = [−1, 0.25, 0.25],
    /// r_mag = [ln 2, 1, −ln 2] (so exp(r_mag) = [2, e, 0.5]), W_dec = [[0.25, 0], [1, 1], [0, 0.5]], b_dec = [0.5, −0.5].
    /// </summary>
    public static GatedSae Gated()
    {
        var sae = new GatedSae(2, 3, dtype: ScalarType.Float64);
        Set(sae, "W_enc", tensor(new double[,] { { 2, -1, 2 }, { 0, 0.5, -1 } }));
        Set(sae, "b_gate", tensor(new double[] { -3, 1, 0.5 }));
        Set(sae, "b_mag", tensor(new double[] { -1, 0.25, 0.25 }));
        Set(sae, "r_mag", tensor(new double[] { Math.Log(2), 1, -Math.Log(2) }));
        Set(sae, "W_dec", tensor(new double[,] { { 0.25, 0 }, { 1, 1 }, { 0, 0.5 } }));
        Set(sae, "b_dec", tensor(new double[] { 0.5, -0.5 }));
        return sae;
    }

    /// <summary>
    /// The two tokens fed to <see cref="Gated"/>: x = [[1.5, 0.5], [2.5, −1.5]], so x − b_dec = [[1, 1], [2, −1]] and
    /// the shared projection (x − b_dec) W_gate = [[2, −0.5, 1], [4, −2.5, 5]].
    /// </summary>
    public static Tensor GatedInput() => tensor(new double[,] { { 1.5, 0.5 }, { 2.5, -1.5 } });

    /// <summary>
    /// A randomly initialised SAE of the registered <paramref name="architecture"/> with its spec's defaults;
    /// <paramref name="k"/> is used by the TopK family, <paramref name="batchTopKThreshold"/> is the inference threshold θ
    /// of BatchTopK and its descendants.
    /// </summary>
    public static ISparseAutoencoder Random(
        string architecture, int dIn, int dSae, int k, Generator generator, ScalarType dtype = ScalarType.Float32, double batchTopKThreshold = 0)
    {
        ArchitectureSpec spec = SaeArchitectures.Get(architecture) switch
        {
            TopKArchitecture => new TopKSpec { K = k },
            BatchTopKArchitecture => new BatchTopKSpec { K = k },
            MatryoshkaBatchTopKArchitecture => new MatryoshkaBatchTopKSpec { K = k },
            var other => other.DefaultSpec,
        };
        var sae = spec.CreateSae(dIn, dSae, dtype: dtype, generator: generator);
        if (sae is BatchTopKSae batchTopK) batchTopK.Threshold = batchTopKThreshold;
        return sae;
    }

    /// <summary>Overwrites parameter <paramref name="name"/> in place.</summary>
    public static void Set(ISparseAutoencoder sae, string name, Tensor value)
    {
        using (no_grad()) sae.NamedParameters[name].copy_(value);
    }
}

/// <summary>Element-wise tensor assertions against plain arrays.</summary>
internal static class TensorAssert
{
    public static void Close(double[,] expected, Tensor actual, double tolerance = 1e-10)
    {
        Assert.Equal(new long[] { expected.GetLength(0), expected.GetLength(1) }, actual.shape);
        var values = Values(actual);
        int cols = expected.GetLength(1);
        for (int i = 0; i < expected.GetLength(0); i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double a = values[i * cols + j];
                Assert.True(Math.Abs(a - expected[i, j]) <= tolerance,
                    $"[{i}, {j}]: expected {expected[i, j]:R}, got {a:R} (tolerance {tolerance:G3}).");
            }
        }
    }

    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-10)
    {
        Assert.Equal(new long[] { expected.Length }, actual.shape);
        var values = Values(actual);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(values[i] - expected[i]) <= tolerance,
                $"[{i}]: expected {expected[i]:R}, got {values[i]:R} (tolerance {tolerance:G3}).");
        }
    }

    public static void Close(double expected, Tensor actual, double tolerance = 1e-10)
    {
        Assert.Equal(0, actual.dim());
        double a = actual.ToDouble();
        Assert.True(Math.Abs(a - expected) <= tolerance, $"Expected {expected:R}, got {a:R} (tolerance {tolerance:G3}).");
    }

    /// <summary>Exact element-wise equality of two tensors of the same shape.</summary>
    public static void Identical(Tensor expected, Tensor actual, string what)
    {
        // The scope keeps the comparison's temporaries reachable while LibTorch reads them.
        using var scope = NewDisposeScope();
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().ToBoolean(), $"{what} changed.");
    }

    /// <summary>A gradient that was never populated or is exactly zero everywhere.</summary>
    public static void NullOrZero(Tensor? grad, string what)
    {
        using var scope = NewDisposeScope();
        if (grad is null) return;
        Assert.True(grad.abs().max().ToDouble() == 0, $"{what} received a non-zero gradient.");
    }

    public static double[] Values(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
    }
}
