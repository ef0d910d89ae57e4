using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>
/// A sparse autoencoder: an encoder from activations <c>[tokens, DIn]</c> to sparse features <c>[tokens, DSae]</c>
/// and a linear decoder back. Architectures are math only: no optimiser, no statistics.
/// </summary>
/// <remarks>
/// Parameters are named and oriented as in SAELens (<c>W_enc [d_in, d_sae]</c>, <c>W_dec [d_sae, d_in]</c>, ...),
/// so each latent's decoder direction is a row of <see cref="DecoderWeight"/>.
/// </remarks>
public interface ISparseAutoencoder : IDisposable
{
    /// <summary>
    /// The architecture name as SAELens knows it: <c>standard</c>, <c>gated</c>, <c>topk</c>, <c>jumprelu</c>, or
    /// <c>batchtopk</c> (SAELens's training name; saved folders say <c>jumprelu</c>).
    /// </summary>
    string Architecture { get; }

    /// <summary>Width of the input activations.</summary>
    int DIn { get; }

    /// <summary>Number of latents (dictionary size).</summary>
    int DSae { get; }

    /// <summary>Device the parameters live on.</summary>
    Device Device { get; }

    /// <summary>Element type of the parameters.</summary>
    ScalarType DType { get; }

    /// <summary>The decoder matrix <c>W_dec [d_sae, d_in]</c>; row <c>i</c> is latent <c>i</c>'s direction.</summary>
    Parameter DecoderWeight { get; }

    /// <summary>The decoder bias <c>b_dec [d_in]</c>, also subtracted from the input before encoding.</summary>
    Parameter DecoderBias { get; }

    /// <summary>All trainable parameters by their SAELens names.</summary>
    IReadOnlyDictionary<string, Parameter> NamedParameters { get; }

    /// <summary>Features <c>[tokens, DSae]</c> of activations <c>x [tokens, DIn]</c>.</summary>
    Tensor Encode(Tensor x);

    /// <summary>Reconstruction <c>[tokens, DIn]</c> of features <c>f [tokens, DSae]</c>.</summary>
    Tensor Decode(Tensor f);

    /// <summary>Encodes and decodes in one pass, also returning the intermediate tensors losses need.</summary>
    SaeForward Forward(Tensor x);

    /// <summary>Moves the parameters to <paramref name="device"/> and <paramref name="dtype"/> in place.</summary>
    void MoveTo(Device device, ScalarType dtype);

    /// <summary>
    /// The axis of parameter <paramref name="parameterName"/> that indexes latents (0 for <c>W_dec</c> rows and per-latent
    /// vectors, 1 for encoder columns), or <see langword="null"/> for parameters not indexed by latent (<c>b_dec</c>).
    /// </summary>
    int? LatentAxis(string parameterName);

    /// <summary>
    /// Re-initialises latents <paramref name="latents"/> (neuron resampling): their decoder rows become
    /// <paramref name="decoderRows"/> <c>[n, d_in]</c>, their encoder columns <paramref name="encoderColumns"/>
    /// <c>[n, d_in]</c>, and their per-latent biases and scales a neutral value (0).
    /// </summary>
    void ResetLatents(Tensor latents, Tensor decoderRows, Tensor encoderColumns);

    /// <summary>
    /// Rewrites the weights so that an SAE trained on activations multiplied by <paramref name="scale"/> works on raw
    /// activations: features are unchanged and reconstructions are divided by <paramref name="scale"/>.
    /// </summary>
    void FoldInputScale(double scale);

    /// <summary>The Euclidean norm of each latent's encoder direction, <c>[d_sae]</c>.</summary>
    Tensor EncoderNorms();
}

/// <summary>The result of <see cref="ISparseAutoencoder.Forward"/>.</summary>
/// <param name="Features">Sparse features <c>f [tokens, d_sae]</c>.</param>
/// <param name="Reconstruction">Reconstruction <c>x̂ [tokens, d_in]</c>.</param>
/// <param name="PreActivations">Encoder pre-activations before the non-linearity (for Gated SAEs, the magnitude path).</param>
public sealed record SaeForward(Tensor Features, Tensor Reconstruction, Tensor PreActivations)
{
    /// <summary>
    /// The non-negative quantity a sparsity penalty acts on: the features themselves unless the architecture sets another
    /// (Gated SAEs: <c>ReLU(π_gate)</c>, Rajamanoharan et al. 2024).
    /// </summary>
    public Tensor SparsityActivations { get; init; } = Features;
}
