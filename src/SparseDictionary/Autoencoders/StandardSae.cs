using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The standard ReLU sparse autoencoder (Bricken et al. 2023):
/// <c>f = ReLU(W_encᵀ(x − b_dec) + b_enc)</c>, <c>x̂ = W_decᵀ f + b_dec</c>.
/// </summary>
public sealed class StandardSae : SparseAutoencoderBase
{
    // Field names are the SAELens tensor names: RegisterComponents() registers them as such.
#pragma warning disable IDE1006 // SAELens naming
    private Parameter W_enc;
    private Parameter b_enc;
    private Parameter W_dec;
    private Parameter b_dec;
#pragma warning restore IDE1006

    /// <summary>
    /// Creates an SAE with unit-norm random decoder rows, the encoder initialised to 0.1 × the decoder's transpose and
    /// zero biases (Anthropic's April 2024 recipe).
    /// </summary>
    /// <param name="dIn">Input width.</param>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="device">Device for the parameters (default CPU).</param>
    /// <param name="dtype">Parameter element type (default float32).</param>
    /// <param name="generator">Random generator for reproducible initialisation.</param>
    public StandardSae(int dIn, int dSae, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
        : base(nameof(StandardSae), dIn, dSae)
    {
        var init = SaeInitialization.UnitRows(dSae, dIn, device, dtype, generator);
        // Parameter takes over the tensor's handle, so the (always distinct) transposed copy is made first.
        W_enc = NewParameter(init.t() * SaeInitialization.EncoderScale);
        W_dec = NewParameter(init);
        b_enc = NewParameter(zeros(dSae, dtype: dtype, device: device));
        b_dec = NewParameter(zeros(dIn, dtype: dtype, device: device));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Architecture => "standard";

    /// <inheritdoc />
    public override Parameter DecoderWeight => W_dec;

    /// <inheritdoc />
    public override Parameter DecoderBias => b_dec;

    /// <summary>The encoder matrix <c>W_enc [d_in, d_sae]</c>.</summary>
    public Parameter EncoderWeight => W_enc;

    /// <summary>The encoder bias <c>b_enc [d_sae]</c>.</summary>
    public Parameter EncoderBias => b_enc;

    /// <inheritdoc />
    public override Tensor Encode(Tensor x) => nn.functional.relu(PreActivations(x));

    /// <inheritdoc />
    public override SaeForward Forward(Tensor x)
    {
        var pre = PreActivations(x);
        var f = nn.functional.relu(pre);
        return new SaeForward(f, Decode(f), pre, null);
    }

    private Tensor PreActivations(Tensor x) => EncoderProduct(x, W_enc, b_enc);
}
