using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The JumpReLU activation and Heaviside step of Rajamanoharan et al. 2024 ("Jumping Ahead"), with the paper's
/// straight-through estimators for the threshold: with the rectangle kernel <c>K(u) = 1[|u| &lt; ½]</c> and bandwidth
/// <c>ε</c>,
/// <c>∂JumpReLU_θ(z)/∂θ := −(θ/ε) K((z − θ)/ε)</c> and <c>∂H(z − θ)/∂θ := −(1/ε) K((z − θ)/ε)</c>; the gradient with respect
/// to <c>z</c> is the exact one (<c>1[z &gt; θ]</c> for JumpReLU, 0 for the step).
/// </summary>
/// <remarks>
/// Implemented without a custom autograd function: the value comes from the exact expression, and the pseudo-gradient
/// from an added term <c>(sg(θ) − θ) ⊙ c</c>, which is exactly zero in the forward pass and whose derivative with respect
/// to θ is <c>−c</c>: <c>c = sg((θ/ε) K((z − θ)/ε))</c> for JumpReLU, <c>c = sg((1/ε) K((z − θ)/ε))</c> for the step
/// (<c>sg</c> is <c>detach()</c>). The JumpReLU value is <c>ReLU(z) ⊙ 1[z &gt; θ]</c>, SAELens's inference form, which equals
/// <c>z ⊙ H(z − θ)</c> whenever θ ≥ 0.
/// </remarks>
public static class JumpRelu
{
    /// <summary>The rectangle kernel <c>K(u) = 1[−½ &lt; u &lt; ½]</c>, in <paramref name="u"/>'s dtype, without gradient.</summary>
    public static Tensor Rectangle(Tensor u)
    {
        ArgumentNullException.ThrowIfNull(u);
        using var _ = no_grad();
        return (u > -0.5).logical_and(u < 0.5).to(u.dtype);
    }

    /// <summary>
    /// <c>JumpReLU_θ(z) = ReLU(z) ⊙ 1[z &gt; θ]</c> with the straight-through estimator for θ.
    /// </summary>
    /// <param name="z">Pre-activations <c>[tokens, d_sae]</c>.</param>
    /// <param name="threshold">θ <c>[d_sae]</c> (broadcast over tokens).</param>
    /// <param name="bandwidth">ε &gt; 0.</param>
    public static Tensor Activation(Tensor z, Tensor threshold, double bandwidth)
    {
        CheckBandwidth(bandwidth);
        var value = nn.functional.relu(z) * (z > threshold);
        return value + Estimator(z, threshold, bandwidth, scaleByThreshold: true);
    }

    /// <summary><c>H(z − θ) = 1[z &gt; θ]</c> with the straight-through estimator for θ (no gradient to <paramref name="z"/>).</summary>
    /// <param name="z">Pre-activations <c>[tokens, d_sae]</c>.</param>
    /// <param name="threshold">θ <c>[d_sae]</c> (broadcast over tokens).</param>
    /// <param name="bandwidth">ε &gt; 0.</param>
    public static Tensor Step(Tensor z, Tensor threshold, double bandwidth)
    {
        CheckBandwidth(bandwidth);
        Tensor value;
        using (no_grad()) value = (z > threshold).to(z.dtype);
        return value + Estimator(z, threshold, bandwidth, scaleByThreshold: false);
    }

    /// <summary>The exact <c>ReLU(z) ⊙ 1[z &gt; θ]</c> without estimators (inference).</summary>
    public static Tensor Inference(Tensor z, Tensor threshold) => nn.functional.relu(z) * (z > threshold).to(z.dtype);

    /// <summary>The exact <c>ReLU(z) ⊙ 1[z &gt; θ]</c> with one θ for every latent (BatchTopK's inference).</summary>
    public static Tensor Inference(Tensor z, double threshold) => nn.functional.relu(z) * (z > threshold).to(z.dtype);

    // (sg(θ) − θ) ⊙ c with c = sg((θ/ε)·K((z − θ)/ε)) or sg((1/ε)·K((z − θ)/ε)): exactly 0, derivative −c with respect to
    // θ (summed over tokens by the broadcast), none with respect to z. K((z − θ)/ε) = 1[|z − θ| < ε/2].
    private static Tensor Estimator(Tensor z, Tensor threshold, double bandwidth, bool scaleByThreshold)
    {
        var theta = threshold.detach();
        Tensor c;
        using (no_grad())
        {
            var inWindow = (z.detach() - theta).abs_() < bandwidth / 2;
            c = inWindow * (scaleByThreshold ? theta / bandwidth : theta.new_full(theta.shape, 1 / bandwidth));
        }
        return (theta - threshold) * c;
    }

    private static void CheckBandwidth(double bandwidth)
    {
        if (!(bandwidth > 0) || !double.IsFinite(bandwidth))
        {
            throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth, "The bandwidth must be finite and positive.");
        }
    }
}
