using SparseDictionary.Formats;
using static TorchSharp.torch;

namespace SparseDictionary.Activations;

/// <summary>
/// An activation cache folder whose manifest and shard headers have been validated. Shards are memory-mapped on demand,
/// one call to <see cref="MapShard"/> at a time, so memory stays bounded whatever the size of the cache.
/// </summary>
/// <remarks>
/// Opening checks, for every shard, that the file exists, has the size the manifest records, and has a header declaring one
/// tensor <c>activations</c> of the manifest's dtype and shape; it reads only the headers. Checksums are verified only on
/// request, since that reads every byte. The instance holds no open files; use <see cref="CachedActivationSource"/> to
/// stream batches.
/// </remarks>
public sealed class ActivationCacheReader
{
    private readonly ShardLayout[] _layouts;
    private readonly long[] _starts;

    private ActivationCacheReader(string directory, ActivationCacheManifest manifest, ShardLayout[] layouts)
    {
        Directory = directory;
        Manifest = manifest;
        _layouts = layouts;
        _starts = new long[layouts.Length + 1];
        for (int i = 0; i < layouts.Length; i++)
        {
            _starts[i + 1] = _starts[i] + layouts[i].Tokens;
        }
    }

    /// <summary>Gets the cache folder (a full path).</summary>
    public string Directory { get; }

    /// <summary>Gets the validated manifest.</summary>
    public ActivationCacheManifest Manifest { get; }

    /// <summary>Gets the width of every row.</summary>
    public int DIn => Manifest.DIn;

    /// <summary>Gets the element type the shards store.</summary>
    public ScalarType DType => Manifest.DType;

    /// <summary>Gets the number of tokens in the cache.</summary>
    public long TotalTokens => _starts[^1];

    /// <summary>Gets the number of shards.</summary>
    public int ShardCount => _layouts.Length;

    /// <summary>Reads and validates only the manifest of the cache in <paramref name="directory"/>, not its shards.</summary>
    /// <param name="directory">The cache folder.</param>
    /// <exception cref="ActivationCacheException">The manifest is missing or malformed.</exception>
    public static ActivationCacheManifest ReadManifest(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return ActivationCacheManifestJson.Read(Path.Combine(Path.GetFullPath(directory), ActivationCacheFiles.ManifestName));
    }

    /// <summary>Opens the cache in <paramref name="directory"/> and validates it against its manifest.</summary>
    /// <param name="directory">The cache folder.</param>
    /// <param name="verifyChecksums">Also check every shard's SHA-256, which reads the whole cache once.</param>
    /// <param name="allowIncomplete">Accept a cache whose writer has not finished, reading the shards it has so far.</param>
    /// <exception cref="ActivationCacheException">
    /// The manifest is missing or malformed, the cache is incomplete (unless allowed), or a shard is missing, has the wrong
    /// size or checksum, is not valid safetensors, or disagrees with the manifest's dtype, d_in or token count. The
    /// exception names the file and field.
    /// </exception>
    public static ActivationCacheReader Open(string directory, bool verifyChecksums = false, bool allowIncomplete = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string fullPath = Path.GetFullPath(directory);
        string manifestPath = Path.Combine(fullPath, ActivationCacheFiles.ManifestName);
        ActivationCacheManifest manifest = ActivationCacheManifestJson.Read(manifestPath);
        if (!manifest.Complete && !allowIncomplete)
        {
            throw new ActivationCacheException(manifestPath, "complete",
                "the cache is incomplete (its writer did not call Complete); allow incomplete caches to read the shards it has");
        }

        var layouts = new ShardLayout[manifest.Shards.Count];
        for (int i = 0; i < layouts.Length; i++)
        {
            ActivationCacheShard shard = manifest.Shards[i];
            string path = Path.Combine(fullPath, shard.FileName);
            CheckShardFile(path, shard, i);
            if (verifyChecksums)
            {
                string actual = ActivationCacheFiles.Sha256(path);
                if (actual != shard.Sha256)
                {
                    throw new ActivationCacheException(path, $"shards[{i}].sha256",
                        $"the file's SHA-256 is {actual}, the manifest records {shard.Sha256}; the shard is corrupt");
                }
            }
            layouts[i] = ReadLayout(path, shard, i, manifest);
        }
        return new ActivationCacheReader(fullPath, manifest, layouts);
    }

    /// <summary>Returns the index of the first token of shard <paramref name="index"/> in the whole cache.</summary>
    /// <param name="index">A shard index, or <see cref="ShardCount"/> for the total.</param>
    public long ShardStart(int index) => _starts[index];

    /// <summary>
    /// Memory-maps shard <paramref name="index"/> and returns its rows as a <c>[tokens, d_in]</c> CPU tensor of the stored
    /// dtype, backed by the file rather than by memory: pages are read when first touched and the OS may drop them again.
    /// </summary>
    /// <remarks>
    /// The mapping is private, so writing to the tensor never changes the file; but treat it as read-only. The file must not
    /// shrink while mapped: the size is checked just before mapping, since touching a page past the end of a mapped file
    /// kills the process rather than raising an error.
    /// </remarks>
    /// <param name="index">The shard index.</param>
    /// <returns>A view the caller owns, created in the caller's dispose scope; disposing it unmaps the file.</returns>
    /// <exception cref="ActivationCacheException">The shard file has changed size since the cache was opened.</exception>
    public Tensor MapShard(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _layouts.Length);
        ShardLayout layout = _layouts[index];
        CheckShardFile(layout.Path, Manifest.Shards[index], index);

        using var scope = NewDisposeScope();
        int elementSize = ActivationCacheDTypes.Size(DType);
        // from_file maps the whole file as elements of the stored dtype; the header is skipped with a storage offset,
        // which ReadLayout made sure is a whole number of elements.
        Tensor file = from_file(layout.Path, shared: false, size: layout.Bytes / elementSize, dtype: DType);
        Tensor rows = file.as_strided([layout.Tokens, DIn], [DIn, 1], layout.DataOffset / elementSize);
        return rows.MoveToOuterDisposeScope();
    }

    /// <summary>Returns the shard holding token <paramref name="token"/> (0 ≤ token &lt; <see cref="TotalTokens"/>).</summary>
    internal int ShardOf(long token)
    {
        // Starts strictly increase (every shard holds a token): an exact hit is that shard's first token; otherwise the
        // complement is the index of the first start past the token.
        int found = Array.BinarySearch(_starts, token);
        return found >= 0 ? found : ~found - 1;
    }

    /// <summary>Checks that a listed shard exists and has the recorded size (cheap: no bytes are read).</summary>
    internal static void CheckShardFile(string path, ActivationCacheShard shard, int index)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ActivationCacheException(path, $"shards[{index}].file", "the shard listed in the manifest is missing");
        }
        if (info.Length != shard.Bytes)
        {
            throw new ActivationCacheException(path, $"shards[{index}].bytes",
                $"the file is {info.Length} bytes, the manifest records {shard.Bytes}; was it truncated or replaced?");
        }
    }

    private static ShardLayout ReadLayout(string path, ActivationCacheShard shard, int index, ActivationCacheManifest manifest)
    {
        SafeTensorsFile file;
        try
        {
            file = SafeTensors.Open(path);
        }
        catch (SafeTensorsFormatException e)
        {
            throw new ActivationCacheException(path, null, $"the shard is not a valid safetensors file: {e.Message}", e);
        }

        using (file)
        {
            if (file.Tensors.Count != 1 || !file.Contains(ActivationCacheFiles.TensorName))
            {
                throw new ActivationCacheException(path, null,
                    $"expected exactly one tensor '{ActivationCacheFiles.TensorName}', found [{string.Join(", ", file.Tensors.Select(t => t.Name))}]");
            }
            SafeTensorInfo info = file.Info(ActivationCacheFiles.TensorName);
            string dtype = ActivationCacheDTypes.Name(manifest.DType);
            if (info.DType != dtype)
            {
                throw new ActivationCacheException(path, "dtype", $"the shard stores {info.DType}, the manifest says {dtype}");
            }
            if (info.Shape.Length != 2)
            {
                throw new ActivationCacheException(path, null, $"the shard's tensor has shape [{string.Join(", ", info.Shape)}], expected [tokens, d_in]");
            }
            if (info.Shape[1] != manifest.DIn)
            {
                throw new ActivationCacheException(path, "d_in", $"the shard's rows are {info.Shape[1]} wide, the manifest says d_in is {manifest.DIn}");
            }
            if (info.Shape[0] != shard.Tokens)
            {
                throw new ActivationCacheException(path, $"shards[{index}].tokens", $"the shard holds {info.Shape[0]} rows, the manifest records {shard.Tokens}");
            }
            long dataOffset = file.DataStart + info.Begin;
            if (dataOffset % ActivationCacheDTypes.Size(manifest.DType) != 0)
            {
                throw new ActivationCacheException(path, null,
                    $"the tensor data starts at byte {dataOffset}, not aligned to its elements, so it cannot be memory-mapped (was the header not padded?)");
            }
            return new ShardLayout(path, dataOffset, shard.Tokens, shard.Bytes);
        }
    }

    /// <summary>Where a shard's rows lie in its file.</summary>
    private sealed record ShardLayout(string Path, long DataOffset, long Tokens, long Bytes);
}
