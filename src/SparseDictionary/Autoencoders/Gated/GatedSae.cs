using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The Gated SAE of Rajamanoharan et al. 2024 ("Improving Dictionary Learning with Gated Sparse Autoencoders"):
/// <c>π_gate = W_gateᵀ(x − b_dec) + b_gate</c>,
/// <c>f = 1[π_gate &gt; 0] ⊙ ReLU(exp(r_mag) ⊙ W_gateᵀ(x − b_dec) + b_mag)</c>, <c>x̂ = W_decᵀ f + b_dec</c>.
/// </summary>
/// <remarks>
/// The gate and magnitude paths share <c>W_gate</c> (stored as SAELens's <c>W_enc</c>); the Heaviside gate passes no
/// gradient, so the gate path learns only from the sparsity and auxiliary losses, as in the paper.
/// </remarks>
public sealed class GatedSae : SparseAutoencoderBase
{
#pragma warning disable IDE1006 // SAELens naming
    private Parameter W_enc;
    private Parameter b_gate;
    private Parameter b_mag;
    private Parameter r_mag;
    private Parameter W_dec;
    private Parameter b_dec;
#pragma warning restore IDE1006

    /// <summary>
    /// Creates a Gated SAE with unit-norm random decoder rows, <c>W_gate = 0.1 W_decᵀ</c>, <c>r_mag = 0</c> and zero biases.
    /// </summary>
    /// <param name="dIn">Input width.</param>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="device">Device for the parameters (default CPU).</param>
    /// <param name="dtype">Parameter element type (default float32).</param>
    /// <param name="generator">Random generator for reproducible initialisation.</param>
    public GatedSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
        : base(nameof(GatedSae), dIn, dSae)
    {
        var init = SaeInitialization.UnitRows(dSae, dIn, device, dtype, generator);
        // Parameter takes over the tensor's handle, so the (always distinct) transposed copy is made first.
        W_enc = NewParameter(init.t() * SaeInitialization.EncoderScale);
        W_dec = NewParameter(init);
        b_gate = NewParameter(zeros(dSae, dtype: dtype, device: device));
        b_mag = NewParameter(zeros(dSae, dtype: dtype, device: device));
        r_mag = NewParameter(zeros(dSae, dtype: dtype, device: device));
        b_dec = NewParameter(zeros(dIn, dtype: dtype, device: device));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Architecture => GatedArchitecture.ArchitectureName;

    /// <inheritdoc />
    public override Parameter DecoderWeight => W_dec;

    /// <inheritdoc />
    public override Parameter DecoderBias => b_dec;

    /// <summary>The shared gate/magnitude encoder <c>W_gate [d_in, d_sae]</c> (SAELens: <c>W_enc</c>).</summary>
    public Parameter GateWeight => W_enc;

    /// <summary>The gate bias <c>b_gate [d_sae]</c>.</summary>
    public Parameter GateBias => b_gate;

    /// <summary>The magnitude bias <c>b_mag [d_sae]</c>.</summary>
    public Parameter MagnitudeBias => b_mag;

    /// <summary>The per-latent log rescale <c>r_mag [d_sae]</c> of the magnitude path.</summary>
    public Parameter MagnitudeLogScale => r_mag;

    /// <inheritdoc />
    public override Tensor Encode(Tensor x)
    {
        var projected = EncoderProduct(x, W_enc, null);
        return Features(projected, projected + b_gate);
    }

    /// <inheritdoc />
    /// <remarks><see cref="SaeForward.SparsityActivations"/> is <c>ReLU(π_gate)</c>, what the paper's L1 and auxiliary terms act on.</remarks>
    public override SaeForward Forward(Tensor x)
    {
        var projected = EncoderProduct(x, W_enc, null);
        var gate = projected + b_gate;
        var f = Features(projected, gate);
        return new SaeForward(f, Decode(f), Magnitude(projected)) { SparsityActivations = nn.functional.relu(gate) };
    }

    /// <summary>The gate pre-activations <c>π_gate = W_gateᵀ(x − b_dec) + b_gate</c> <c>[tokens, d_sae]</c>.</summary>
    public Tensor GatePreActivations(Tensor x) => EncoderProduct(x, W_enc, b_gate);

    private Tensor Magnitude(Tensor projected) => projected * exp(r_mag) + b_mag;

    // The boolean mask is promoted inside the multiplication: no float copy of it.
    private Tensor Features(Tensor projected, Tensor gate) => nn.functional.relu(Magnitude(projected)) * (gate > 0);
}
