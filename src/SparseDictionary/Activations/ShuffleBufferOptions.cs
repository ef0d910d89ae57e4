namespace SparseDictionary.Activations;

/// <summary>How a <see cref="ShuffleBuffer"/> mixes its inner source. <see cref="Validate"/> names the first bad field.</summary>
public sealed record ShuffleBufferOptions
{
    /// <summary>
    /// Rows held at most. Larger buffers mix rows from further apart (consecutive tokens of one document are strongly
    /// correlated, so a training batch should not hold many of them); memory is <c>Capacity × d_in × element size</c> plus
    /// 8 bytes a row of bookkeeping. SAELens uses buffers of 2^16 to 2^20 tokens.
    /// </summary>
    public int Capacity { get; init; } = 1 << 16;

    /// <summary>Seed of the generator that draws the permutations; the same seed over the same input gives the same batches.</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Element type the rows are held and returned in; <see langword="null"/> (the default) keeps the dtype of the inner
    /// source's first batch. Float16 or BFloat16 halve the buffer's memory.
    /// </summary>
    public torch.ScalarType? StorageDType { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (Capacity < 2) throw new ArgumentOutOfRangeException(nameof(Capacity), Capacity, "Capacity must be at least 2.");
        if (StorageDType is { } dtype && dtype is not (torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Float32 or torch.ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(StorageDType), dtype, "StorageDType must be a floating-point type.");
        }
    }
}
