namespace SparseDictionary.Activations;

/// <summary>
/// How an <see cref="ActivationCacheWriter"/> stores activations, and the free-form description of where they came from
/// (the library does not interpret the names). <see cref="Validate"/> names the first bad field.
/// </summary>
public sealed record ActivationCacheWriterOptions
{
    /// <summary>
    /// Tokens per shard (the last shard may hold fewer). The writer buffers one shard in memory, so this bounds its memory
    /// (<c>ShardTokens × d_in × element size</c>) and the work lost to a crash.
    /// </summary>
    public int ShardTokens { get; init; } = 1 << 16;

    /// <summary>Element type of the stored activations: Float32 (the default), Float16 or BFloat16.</summary>
    public torch.ScalarType StorageDType { get; init; } = torch.ScalarType.Float32;

    /// <summary>Name of the model the activations come from, recorded in the manifest.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>Name of the hook point the activations come from, recorded in the manifest.</summary>
    public string HookName { get; init; } = "";

    /// <summary>Layer the activations come from, recorded in the manifest; <see langword="null"/> to leave it out.</summary>
    public string? Layer { get; init; }

    /// <summary>
    /// When resuming, check every listed shard's SHA-256 (reading the whole cache once) besides its size; a shard that fails
    /// is collected again. Off, only sizes are checked (no bytes read).
    /// </summary>
    public bool VerifyChecksumsOnResume { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (ShardTokens <= 0) throw new ArgumentOutOfRangeException(nameof(ShardTokens), ShardTokens, "ShardTokens must be positive.");
        if (!ActivationCacheDTypes.IsAllowed(StorageDType))
        {
            throw new ArgumentOutOfRangeException(nameof(StorageDType), StorageDType, "StorageDType must be Float32, Float16 or BFloat16.");
        }
        if (ModelName is null) throw new ArgumentNullException(nameof(ModelName));
        if (HookName is null) throw new ArgumentNullException(nameof(HookName));
    }
}
