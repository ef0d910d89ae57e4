using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The standard ReLU sparse autoencoder (Bricken et al. 2023):
/// <c>f = ReLU(W_encᵀ(x − b_dec) + b_enc)</c>, <c>x̂ = W_decᵀ f + b_dec</c>.
/// </summary>
public sealed class StandardSae : LinearEncoderSae
{
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
        // The product is a new tensor that keeps the transpose's column-major layout.
        CreateParameters(init.t() * SaeInitialization.EncoderScale, init, device, dtype);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Architecture => StandardArchitecture.ArchitectureName;

    /// <inheritdoc />
    private protected override Tensor Activate(Tensor pre) => nn.functional.relu(pre);
}
