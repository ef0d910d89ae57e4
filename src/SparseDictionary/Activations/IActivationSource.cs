using static TorchSharp.torch;

namespace SparseDictionary.Activations;

/// <summary>
/// A stream of activation batches <c>[tokens, DIn]</c> for training or evaluating a sparse autoencoder.
/// Knows nothing of where the activations come from (a model, a cache on disk, memory).
/// </summary>
public interface IActivationSource : IDisposable
{
    /// <summary>Width of every batch.</summary>
    int DIn { get; }

    /// <summary>Tokens delivered so far (the resume position).</summary>
    long Position { get; }

    /// <summary>
    /// The next batch of at most <paramref name="batchSize"/> rows, or <see langword="null"/> when the source is
    /// exhausted. The caller owns the returned tensor (it is created in the caller's dispose scope).
    /// </summary>
    Tensor? NextBatch(int batchSize);
}
