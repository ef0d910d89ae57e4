namespace SparseDictionary.Activations;

/// <summary>How a <see cref="CachedActivationSource"/> streams a cache. <see cref="Validate"/> names the first bad field.</summary>
public sealed record CachedActivationSourceOptions
{
    /// <summary>
    /// Tokens to skip before the first batch: the <see cref="IActivationSource.Position"/> a resumed run saved. With
    /// <see cref="Cycle"/> it may exceed the cache size (it wraps).
    /// </summary>
    public long StartPosition { get; init; }

    /// <summary>Start again at the first token when the cache runs out, instead of returning <see langword="null"/>.</summary>
    public bool Cycle { get; init; }

    /// <summary>Element type of the returned batches: Float32 by default; <see langword="null"/> keeps the stored dtype.</summary>
    public torch.ScalarType? OutputDType { get; init; } = torch.ScalarType.Float32;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (StartPosition < 0) throw new ArgumentOutOfRangeException(nameof(StartPosition), StartPosition, "StartPosition must be ≥ 0.");
        if (OutputDType is { } dtype && dtype is not (torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Float32 or torch.ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(OutputDType), dtype, "OutputDType must be a floating-point type.");
        }
    }
}
