using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The architectures whose encoder is one affine map followed by an activation: <c>z = W_encᵀ(x − b_dec) + b_enc</c>,
/// <c>f = σ(z)</c>, <c>x̂ = W_decᵀ f + b_dec</c> (standard, TopK, BatchTopK, JumpReLU). They share the four SAELens
/// parameters, encode and forward; each derived class chooses σ (<see cref="Activate"/>), the initial encoder and its
/// own extra state.
/// </summary>
public abstract class LinearEncoderSae : SparseAutoencoderBase
{
    // SAELens's tensor names. Not private: RegisterComponents() finds fields by reflection on the derived type, which
    // does not see a base class's private fields.
#pragma warning disable IDE1006 // SAELens naming
    private protected Parameter W_enc = null!;
    private protected Parameter b_enc = null!;
    private protected Parameter W_dec = null!;
    private protected Parameter b_dec = null!;
#pragma warning restore IDE1006

    /// <summary>Creates the shared state; the derived constructor validates its arguments, then calls <see cref="CreateParameters"/>.</summary>
    private protected LinearEncoderSae(string name, int dIn, int dSae) : base(name, dIn, dSae)
    {
    }

    /// <inheritdoc />
    public override Parameter DecoderWeight => W_dec;

    /// <inheritdoc />
    public override Parameter DecoderBias => b_dec;

    /// <summary>The encoder matrix <c>W_enc [d_in, d_sae]</c>.</summary>
    public Parameter EncoderWeight => W_enc;

    /// <summary>The encoder bias <c>b_enc [d_sae]</c>.</summary>
    public Parameter EncoderBias => b_enc;

    /// <inheritdoc />
    public override Tensor Encode(Tensor x) => Activate(PreActivations(x));

    /// <inheritdoc />
    public override SaeForward Forward(Tensor x)
    {
        var pre = PreActivations(x);
        var f = Activate(pre);
        return new SaeForward(f, Decode(f), pre);
    }

    /// <summary>The features <c>σ(z)</c> of pre-activations <c>z [tokens, d_sae]</c>.</summary>
    private protected abstract Tensor Activate(Tensor pre);

    /// <summary>The pre-activations <c>z = W_encᵀ(x − b_dec) + b_enc</c>.</summary>
    private protected Tensor PreActivations(Tensor x) => EncoderProduct(x, W_enc, b_enc);

    /// <summary>
    /// Creates <c>W_enc</c> and <c>W_dec</c> from the given tensors (a <see cref="Parameter"/> takes over its tensor's
    /// handle, so each must be a distinct tensor) and zero biases.
    /// </summary>
    private protected void CreateParameters(Tensor encoder, Tensor decoder, Device? device, ScalarType dtype)
    {
        W_enc = NewParameter(encoder);
        W_dec = NewParameter(decoder);
        b_enc = NewParameter(zeros(DSae, dtype: dtype, device: device));
        b_dec = NewParameter(zeros(DIn, dtype: dtype, device: device));
    }
}
