using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// The TopK SAE of Gao et al. 2024 ("Scaling and evaluating sparse autoencoders"): each token keeps its
/// <see cref="K"/> largest pre-activations, <c>f = ReLU(TopK_k(W_encᵀ(x − b_dec) + b_enc))</c>,
/// <c>x̂ = W_decᵀ f + b_dec</c>.
/// </summary>
/// <remarks>
/// The k largest pre-activations are selected first and ReLU is applied to them (SAELens's order; selecting after the
/// ReLU, as dictionary_learning and sparsify do, gives the same features and gradients). Exactly k latents are
/// selected per token; among pre-activations equal to the k-th largest, the lowest latent indices win. A token with
/// fewer than k positive pre-activations has fewer than k non-zero features. The sparsity is set by k, so the loss has
/// no sparsity penalty; dead latents are revived by the AuxK term (<see cref="Losses.AuxKLoss"/>).
/// </remarks>
public sealed class TopKSae : LinearEncoderSae
{
    /// <summary>
    /// Creates a TopK SAE with unit-norm random decoder rows, the encoder initialised to the decoder's transpose (Gao et
    /// al.; not scaled by 0.1, since only k latents are active) and zero biases.
    /// </summary>
    /// <param name="dIn">Input width.</param>
    /// <param name="dSae">Number of latents.</param>
    /// <param name="k">Latents kept per token, 1 ≤ k ≤ <paramref name="dSae"/>.</param>
    /// <param name="device">Device for the parameters (default CPU).</param>
    /// <param name="dtype">Parameter element type (default float32).</param>
    /// <param name="generator">Random generator for reproducible initialisation.</param>
    public TopKSae(int dIn, int dSae, int k, Device? device = null, ScalarType dtype = ScalarType.Float32, Generator? generator = null)
        : base(nameof(TopKSae), dIn, dSae)
    {
        if (k < 1 || k > dSae) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in [1, d_sae = {dSae}].");
        K = k;
        var init = SaeInitialization.UnitRows(dSae, dIn, device, dtype, generator);
        CreateParameters(init.t().contiguous(), init, device, dtype);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override string Architecture => TopKArchitecture.ArchitectureName;

    /// <summary>Latents kept per token.</summary>
    public int K { get; }

    /// <summary>
    /// The <see cref="K"/> selected latents of each token as indices <c>[tokens, k]</c> (int64, ascending) and values
    /// <c>[tokens, k]</c>: the same selection and values as <see cref="LinearEncoderSae.Encode"/> (a value is 0 where the selected
    /// pre-activation is not positive).
    /// </summary>
    public (Tensor Indices, Tensor Values) EncodeSparse(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pre = PreActivations(x);
        using var keep = TopKSelection.RowMask(pre, K);
        var indices = keep.nonzero().select(1, 1).reshape(pre.shape[0], K);
        var values = nn.functional.relu(pre.gather(1, indices));
        return (indices.MoveToOuterDisposeScope(), values.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Reconstruction from <see cref="EncodeSparse"/>'s indices and values: gathers only the k active decoder rows of
    /// each token (<c>embedding_bag</c>) instead of multiplying by the mostly-zero dense features. Equals
    /// <see cref="SparseAutoencoderBase.Decode"/> of the dense features up to float rounding (the sums run in another
    /// order); differentiable in <paramref name="values"/> and <c>W_dec</c>.
    /// </summary>
    /// <param name="indices">Latent indices <c>[tokens, k]</c> (int64).</param>
    /// <param name="values">Their activations <c>[tokens, k]</c>.</param>
    public Tensor DecodeSparse(Tensor indices, Tensor values)
    {
        if (indices.dim() != 2 || !indices.shape.SequenceEqual(values.shape))
        {
            throw new ArgumentException($"Expected indices and values of the same shape [tokens, k], got [{string.Join(", ", indices.shape)}] and [{string.Join(", ", values.shape)}].", nameof(indices));
        }
        return SparseRows.GatherSum(W_dec, indices, values).add(b_dec);
    }

    /// <inheritdoc />
    private protected override Tensor Activate(Tensor pre)
    {
        using var keep = TopKSelection.RowMask(pre, K);
        return nn.functional.relu(pre) * keep;
    }
}
