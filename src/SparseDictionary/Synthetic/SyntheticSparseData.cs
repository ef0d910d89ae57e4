using static TorchSharp.torch;

namespace SparseDictionary.Synthetic;

/// <summary>
/// Synthetic ground truth for dictionary learning: activations made as sparse non-negative combinations of a known
/// random unit-norm dictionary, so a trained SAE can be scored by how well its decoder recovers the true features.
/// </summary>
public sealed class SyntheticSparseData : IDisposable
{
    private SyntheticSparseData(Tensor dictionary, Tensor activations)
    {
        Dictionary = dictionary;
        Activations = activations;
    }

    /// <summary>The true features <c>[features, d_in]</c>, unit rows.</summary>
    public Tensor Dictionary { get; }

    /// <summary>The samples <c>[samples, d_in]</c>.</summary>
    public Tensor Activations { get; }

    /// <summary>
    /// Draws a dictionary of <paramref name="features"/> random unit directions in <paramref name="dIn"/> dimensions and
    /// <paramref name="samples"/> samples, each feature active independently with probability
    /// <c>meanActive / features</c> with a coefficient uniform in [0, 1).
    /// </summary>
    public static SyntheticSparseData Generate(int dIn, int features, int samples, double meanActive, long seed, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (dIn <= 0) throw new ArgumentOutOfRangeException(nameof(dIn), dIn, "dIn must be positive.");
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), features, "features must be positive.");
        if (samples <= 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "samples must be positive.");
        if (!(meanActive > 0) || meanActive > features) throw new ArgumentOutOfRangeException(nameof(meanActive), meanActive, "meanActive must be in (0, features].");
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var dictionary = randn(new long[] { features, dIn }, generator: generator);
        dictionary = dictionary / dictionary.norm(1, keepdim: true);
        var active = rand(new long[] { samples, features }, generator: generator) < meanActive / features;
        var coefficients = rand(new long[] { samples, features }, generator: generator) * active;
        var activations = coefficients.matmul(dictionary);
        var target = device ?? CPU;
        return new SyntheticSparseData(
            dictionary.to(dtype, target).DetachFromDisposeScope(),
            activations.to(dtype, target).DetachFromDisposeScope());
    }

    /// <summary>
    /// Mean over true features of the highest cosine similarity with any decoder row: 1 when every true feature has a
    /// matching latent.
    /// </summary>
    public static double MeanMaxCosineSimilarity(Tensor trueFeatures, Tensor decoderRows)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var a = trueFeatures.to(ScalarType.Float64, CPU);
        var b = decoderRows.detach().to(ScalarType.Float64, CPU);
        a = a / a.norm(1, keepdim: true).clamp_min(1e-12);
        b = b / b.norm(1, keepdim: true).clamp_min(1e-12);
        return a.matmul(b.t()).max(1).values.mean().ToDouble();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dictionary.Dispose();
        Activations.Dispose();
    }
}
