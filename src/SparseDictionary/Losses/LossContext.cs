using static TorchSharp.torch;

namespace SparseDictionary.Losses;

/// <summary>
/// What a loss term may need beyond the batch and the forward pass: training state the trainer keeps, such as which
/// latents are dead (for <see cref="AuxKLoss"/>). Outside training, <see cref="None"/> knows of no dead latents.
/// </summary>
public sealed class LossContext
{
    private readonly Func<long, Tensor>? _deadLatents;

    /// <summary>Creates a context whose dead latents are given by <paramref name="deadLatents"/>.</summary>
    /// <param name="deadLatents">
    /// Given a window of tokens, the mask <c>[d_sae]</c> (bool) of latents that have not fired within that many tokens;
    /// <see langword="null"/> when no firing statistics exist.
    /// </param>
    public LossContext(Func<long, Tensor>? deadLatents) => _deadLatents = deadLatents;

    /// <summary>A context without training state.</summary>
    public static LossContext None { get; } = new(null);

    /// <summary>
    /// The mask <c>[d_sae]</c> (bool) of latents that have not fired in the last <paramref name="windowTokens"/> tokens,
    /// or <see langword="null"/> when the context has no firing statistics.
    /// </summary>
    public Tensor? DeadLatents(long windowTokens) => _deadLatents?.Invoke(windowTokens);
}
