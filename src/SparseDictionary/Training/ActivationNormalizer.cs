using static TorchSharp.torch;

namespace SparseDictionary.Training;

/// <summary>
/// Scaling of activations to mean norm <c>√d_in</c> during training (so one λ and learning rate suit every layer and
/// model); the scale is folded into the weights afterwards with <see cref="Autoencoders.ISparseAutoencoder.FoldInputScale"/>.
/// </summary>
public static class ActivationNormalizer
{
    /// <summary>The factor <c>s = √d_in / mean‖x‖</c> estimated on <paramref name="sample"/> <c>[n, d_in]</c>.</summary>
    public static double EstimateScale(Tensor sample)
    {
        using var scope = NewDisposeScope();
        double meanNorm = sample.to(ScalarType.Float64).norm(1).mean().ToDouble();
        if (!double.IsFinite(meanNorm) || meanNorm <= 0)
        {
            throw new ArgumentException($"Cannot normalise activations whose mean norm is {meanNorm}.", nameof(sample));
        }
        return Math.Sqrt(sample.shape[1]) / meanNorm;
    }
}
