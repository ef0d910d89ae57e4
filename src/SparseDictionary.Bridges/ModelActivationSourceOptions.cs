using SparseDictionary.Llama.Corpus;
using static TorchSharp.torch;

namespace SparseDictionary.Bridges;

/// <summary>
/// How a <see cref="MultiLayerActivationReader"/> or <see cref="ModelActivationSource"/> turns text into activations.
/// <see cref="Validate"/> names the first bad field.
/// </summary>
public sealed record ModelActivationSourceOptions
{
    /// <summary>Gets how documents are cut into context windows.</summary>
    public ContextWindowOptions Windows { get; init; } = new();

    /// <summary>Gets the number of context windows run through the model in one forward pass. Default 8.</summary>
    public int WindowsPerForward { get; init; } = 8;

    /// <summary>Gets the device of the activations served; <see langword="null"/> for the CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>Gets the element type of the activations served. Default Float32.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>
    /// Gets the position in the token stream at which the source stops (counting only collected tokens: real and not BOS,
    /// skipped ones included); <see langword="null"/> for the whole corpus.
    /// </summary>
    public long? MaxTokens { get; init; }

    /// <summary>
    /// Gets the number of collected tokens skipped at the start of the stream (to resume). Whole windows are skipped
    /// without running the model.
    /// </summary>
    public long SkipTokens { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Windows, nameof(Windows));
        Windows.Validate();
        if (WindowsPerForward <= 0) throw new ArgumentOutOfRangeException(nameof(WindowsPerForward), WindowsPerForward, "WindowsPerForward must be positive.");
        if (!is_floating_point(DType)) throw new ArgumentOutOfRangeException(nameof(DType), DType, "DType must be a floating-point type.");
        if (MaxTokens is < 0) throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "MaxTokens must not be negative.");
        if (SkipTokens < 0) throw new ArgumentOutOfRangeException(nameof(SkipTokens), SkipTokens, "SkipTokens must not be negative.");
    }
}
