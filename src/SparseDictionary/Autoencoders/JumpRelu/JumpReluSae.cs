using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The JumpReLU SAE of Rajamanoharan et al. 2024 ("Jumping Ahead: Improving Reconstruction Fidelity with JumpReLU Sparse
/// Autoencoders"): <c>z = W_encᵀ(x − b_dec) + b_enc</c>, <c>f = JumpReLU_θ(z) = z ⊙ H(z − θ)</c> with a learned per-latent
/// threshold <c>θ = exp(log_threshold)</c>, <c>x̂ = W_decᵀ f + b_dec</c>.
/// </summary>
/// <remarks>
/// The threshold is trained through the straight-through estimators of <see cref="JumpRelu"/> with bandwidth
/// <see cref="Bandwidth"/>, together with the L0 penalty <see cref="JumpReluL0Loss"/>. SAELens folders store
/// <c>threshold</c> itself; loading takes its logarithm (a threshold ≤ 0 becomes <c>log_threshold = −∞</c>, θ = 0, which
/// gives the same features since they are <c>ReLU(z) ⊙ 1[z &gt; θ]</c>).
/// </remarks>
public sealed class JumpReluSae : LinearEncoderSae
{
    /// <summary>
    /// The paper's bandwidth ε and initial threshold θ₀ (0.001) for activations scaled to unit mean squared norm; the
    /// defaults here are this × √d_in, the same quantities for the trainer's normalisation to mean norm √d_in.
    /// </summary>
    public const double PaperScale = 0.001;

#pragma warning disable IDE1006 // SAELens naming
    private Parameter log_threshold;
#pragma warning restore IDE1006

    /// <summary>
    /// Creates a JumpReLU SAE with unit-norm random decoder rows, <c>W_enc = 0.1 W_decᵀ</c> (as the standard SAE), zero
    /// biases and every threshold at <paramref name="initialThreshold"/>.
    /// </summary>
    /// <param name="dIn">Input width.</param>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="device">Device for the parameters (default CPU).</param>
    /// <param name="dtype">Parameter element type (default float32).</param>
    /// <param name="generator">Random generator for reproducible initialisation.</param>
    /// <param name="bandwidth">The STE bandwidth ε; default <see cref="PaperScale"/> × √d_in.</param>
    /// <param name="initialThreshold">The initial θ (and the value resampled latents get); default <see cref="PaperScale"/> × √d_in.</param>
    public JumpReluSae(
        int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null,
        double? bandwidth = null, double? initialThreshold = null)
        : base(nameof(JumpReluSae), dIn, dSae)
    {
        Bandwidth = bandwidth ?? PaperScale * Math.Sqrt(dIn);
        InitialThreshold = initialThreshold ?? PaperScale * Math.Sqrt(dIn);
        if (!(Bandwidth > 0) || !double.IsFinite(Bandwidth)) throw new ArgumentOutOfRangeException(nameof(bandwidth), bandwidth, "The bandwidth must be finite and positive.");
        if (!(InitialThreshold > 0) || !double.IsFinite(InitialThreshold)) throw new ArgumentOutOfRangeException(nameof(initialThreshold), initialThreshold, "The initial threshold must be finite and positive.");
        var init = SaeInitialization.UnitRows(dSae, dIn, device, dtype, generator);
        // Contiguous like TopK's and BatchTopK's, so a BatchTopK SAE loaded back as JumpReLU multiplies in the same order.
        CreateParameters((init.t() * SaeInitialization.EncoderScale).contiguous(), init, device, dtype);
        log_threshold = NewParameter(full(dSae, Math.Log(InitialThreshold), dtype: dtype, device: device));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Architecture => JumpReluArchitecture.ArchitectureName;

    /// <summary>The bandwidth ε of the straight-through estimators.</summary>
    public double Bandwidth { get; }

    /// <summary>The threshold latents start with (and are reset to by neuron resampling).</summary>
    public double InitialThreshold { get; }

    /// <summary>The trained parameter <c>log θ [d_sae]</c>.</summary>
    public Parameter LogThreshold => log_threshold;

    /// <summary>The thresholds <c>θ = exp(log_threshold) [d_sae]</c> (differentiable).</summary>
    public Tensor Threshold() => log_threshold.exp();

    /// <inheritdoc />
    /// <remarks>The thresholds of the reset latents go back to <see cref="InitialThreshold"/> (0 would mean θ = 1).</remarks>
    public override void ResetLatents(Tensor latents, Tensor decoderRows, Tensor encoderColumns)
    {
        base.ResetLatents(latents, decoderRows, encoderColumns);
        using var _ = no_grad();
        log_threshold.index_fill_(0, latents.to(log_threshold.device), Math.Log(InitialThreshold));
    }

    /// <summary>JumpReLU with the straight-through estimators attached when gradients are enabled (in Encode as in Forward).</summary>
    private protected override Tensor Activate(Tensor pre)
    {
        var threshold = Threshold();
        return is_grad_enabled() ? JumpRelu.Activation(pre, threshold, Bandwidth) : JumpRelu.Inference(pre, threshold);
    }
}
