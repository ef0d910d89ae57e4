using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// Shared plumbing for the architectures: shapes, device/dtype, parameter lookup by SAELens name, and the linear
/// decoder <c>x̂ = f W_dec + b_dec</c> that every architecture here uses.
/// </summary>
public abstract class SparseAutoencoderBase : nn.Module<Tensor, Tensor>, ISparseAutoencoder
{
    /// <summary>Creates the shared state; derived constructors create parameters and call <c>RegisterComponents()</c>.</summary>
    protected SparseAutoencoderBase(string name, int dIn, int dSae) : base(name)
    {
        if (dIn <= 0) throw new ArgumentOutOfRangeException(nameof(dIn), dIn, "d_in must be positive.");
        if (dSae <= 0) throw new ArgumentOutOfRangeException(nameof(dSae), dSae, "d_sae must be positive.");
        DIn = dIn;
        DSae = dSae;
    }

    /// <inheritdoc />
    public abstract string Architecture { get; }

    /// <inheritdoc />
    public int DIn { get; }

    /// <inheritdoc />
    public int DSae { get; }

    /// <inheritdoc />
    public Device Device => DecoderWeight.device;

    /// <inheritdoc />
    public ScalarType DType => DecoderWeight.dtype;

    /// <inheritdoc />
    public abstract Parameter DecoderWeight { get; }

    /// <inheritdoc />
    public abstract Parameter DecoderBias { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Parameter> NamedParameters =>
        named_parameters().ToDictionary(p => p.name, p => p.parameter);

    /// <inheritdoc />
    public abstract Tensor Encode(Tensor x);

    /// <inheritdoc />
    public Tensor Decode(Tensor f)
    {
        CheckWidth(f, DSae, "features");
        return addmm(DecoderBias, f, DecoderWeight, beta: 1, alpha: 1);
    }

    /// <inheritdoc />
    public abstract SaeForward Forward(Tensor x);

    /// <summary>Returns the reconstruction, so the SAE can be used as an ordinary module.</summary>
    public override Tensor forward(Tensor x) => Forward(x).Reconstruction;

    /// <inheritdoc />
    public void MoveTo(Device device, ScalarType dtype)
    {
        // Module.to keeps the Parameter objects (it swaps their storage), so references stay valid.
        this.to(device).to(dtype);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The default serves every architecture here: 2-D parameters other than <c>W_dec</c> are encoders
    /// <c>[d_in, d_sae]</c>; 1-D parameters other than <c>b_dec</c> are per latent.
    /// </remarks>
    public virtual int? LatentAxis(string parameterName)
    {
        var p = NamedParameters.TryGetValue(parameterName, out var found)
            ? found
            : throw new ArgumentException($"The {Architecture} SAE has no parameter '{parameterName}'.", nameof(parameterName));
        if (ReferenceEquals(p, DecoderWeight)) return 0;
        if (ReferenceEquals(p, DecoderBias)) return null;
        return p.dim() == 2 ? 1 : 0;
    }

    /// <inheritdoc />
    public virtual void ResetLatents(Tensor latents, Tensor decoderRows, Tensor encoderColumns)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var (name, p) in NamedParameters)
        {
            switch (LatentAxis(name))
            {
                case 0 when ReferenceEquals(p, DecoderWeight):
                    p.index_copy_(0, latents, decoderRows.to(p.dtype, p.device));
                    break;
                case 1:
                    p.index_copy_(1, latents, encoderColumns.to(p.dtype, p.device).t());
                    break;
                case 0:
                    p.index_fill_(0, latents, 0.0);
                    break;
            }
        }
    }

    /// <inheritdoc />
    public virtual void FoldInputScale(double scale)
    {
        if (!double.IsFinite(scale) || scale <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Scale must be finite and positive.");
        using var _ = no_grad();
        // f(s·x) = ReLU(W_encᵀ(s·x − b_dec) + b_enc) = ReLU((s·W_enc)ᵀ(x − b_dec/s) + b_enc); x̂/s = (W_dec/s)ᵀf + b_dec/s.
        foreach (var (name, p) in NamedParameters)
        {
            if (LatentAxis(name) == 1) p.mul_(scale);
        }
        DecoderWeight.div_(scale);
        DecoderBias.div_(scale);
    }

    /// <inheritdoc />
    public virtual Tensor EncoderNorms()
    {
        var encoder = NamedParameters.First(kv => LatentAxis(kv.Key) == 1).Value;
        return encoder.detach().norm(0);
    }

    /// <summary>
    /// The encoder product <c>(x − b_dec) W + bias</c> (<paramref name="bias"/> may be <see langword="null"/>), after
    /// checking that <paramref name="x"/> is <c>[tokens, d_in]</c>.
    /// </summary>
    /// <remarks>
    /// Same value as the plain formula, cheaper backward: autograd would get <c>b_dec</c>'s gradient from the
    /// gradient of <c>x − b_dec</c>, a <c>[tokens, d_sae] × [d_sae, d_in]</c> product as large as the decoder's.
    /// Here the input is centred by a detached <c>b_dec</c>, and <c>b_dec</c> enters through the zero-valued bias
    /// <c>−(b_dec − sg(b_dec)) W</c>, whose gradient <c>−W Σ_tokens ∂L/∂pre</c> costs one vector product. Only the
    /// summation order of <c>b_dec</c>'s gradient changes (float rounding).
    /// </remarks>
    protected Tensor EncoderProduct(Tensor x, Tensor weight, Tensor? bias)
    {
        CheckWidth(x, DIn, "activations");
        var decoderBias = DecoderBias;
        var detached = decoderBias.detach();
        var centred = x - detached;
        if (!is_grad_enabled() || !decoderBias.requires_grad)
        {
            return bias is null ? centred.matmul(weight) : addmm(bias, centred, weight, beta: 1, alpha: 1);
        }
        var zeroValued = (decoderBias - detached).unsqueeze(0).matmul(weight).squeeze(0);
        var effectiveBias = bias is null ? zeroValued.neg() : bias - zeroValued;
        return addmm(effectiveBias, centred, weight, beta: 1, alpha: 1);
    }

    /// <summary>Throws a clear error unless <paramref name="t"/> is <c>[tokens, width]</c>.</summary>
    protected static void CheckWidth(Tensor t, int width, string what)
    {
        if (t.dim() != 2 || t.shape[1] != width)
        {
            throw new ArgumentException(
                $"Expected {what} of shape [tokens, {width}], got [{string.Join(", ", t.shape)}].", what);
        }
    }

    /// <summary>A new parameter of the given shape filled by <paramref name="init"/>.</summary>
    protected static Parameter NewParameter(Tensor init) => new(init, requires_grad: true);
}
