namespace SparseDictionary.Activations;

/// <summary>
/// The contents of an activation cache's <c>manifest.json</c>: what the activations are (free strings naming the model
/// and hook, which the library does not interpret), how they are stored, and the shards that hold them, in token order.
/// </summary>
public sealed record ActivationCacheManifest
{
    /// <summary>The manifest format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Gets the manifest format version.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Gets the name of the model the activations came from, as the caller gave it.</summary>
    public required string ModelName { get; init; }

    /// <summary>Gets the name of the hook point the activations came from, as the caller gave it.</summary>
    public required string HookName { get; init; }

    /// <summary>Gets the layer the activations came from, as the caller gave it; <see langword="null"/> when not given.</summary>
    public string? Layer { get; init; }

    /// <summary>Gets the width of every activation row.</summary>
    public required int DIn { get; init; }

    /// <summary>Gets the element type the shards store.</summary>
    public required torch.ScalarType DType { get; init; }

    /// <summary>Gets the number of tokens in every shard but the last.</summary>
    public required int ShardTokens { get; init; }

    /// <summary>Gets whether the writer finished: every token is stored and no more will be appended.</summary>
    public bool Complete { get; init; }

    /// <summary>Gets the shards, in token order.</summary>
    public IReadOnlyList<ActivationCacheShard> Shards { get; init; } = [];

    /// <summary>Gets the number of tokens stored in all shards.</summary>
    public long TotalTokens => Shards.Sum(s => s.Tokens);
}

/// <summary>One shard of an activation cache as the manifest records it.</summary>
/// <param name="FileName">The shard's file name, relative to the cache folder, such as <c>shard-00000.safetensors</c>.</param>
/// <param name="Tokens">The number of activation rows the shard holds.</param>
/// <param name="Bytes">The size of the shard file in bytes.</param>
/// <param name="Sha256">The SHA-256 of the whole shard file, as 64 lowercase hexadecimal digits.</param>
public sealed record ActivationCacheShard(string FileName, long Tokens, long Bytes, string Sha256);
