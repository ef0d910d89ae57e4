using SparseDictionary.Formats;
using static TorchSharp.torch;

namespace SparseDictionary.Activations;

/// <summary>
/// Appends activation batches to an on-disk cache: a folder of safetensors shards (<c>shard-00000.safetensors</c>, …, each
/// holding one tensor <c>activations [tokens, d_in]</c>) and a <c>manifest.json</c> that lists them with their sizes and
/// SHA-256 checksums.
/// </summary>
/// <remarks>
/// <para>
/// Crash safety: each shard and then the manifest is written under a temporary name and renamed into place, so the
/// manifest only ever lists complete shards. Rows are buffered until a shard is full; a crash loses at most the buffered
/// rows. <see cref="Open"/> on an incomplete cache resumes it: it deletes shard files the manifest does not list (a crash
/// between a shard and the manifest) and reports in <see cref="ResumedTokens"/> how many tokens are stored, so the caller
/// can skip that many tokens of its corpus and append the rest.
/// </para>
/// <para>Call <see cref="Complete"/> at the end: it writes the last, partial shard and marks the cache complete. Disposing
/// without it discards the buffered rows and leaves the cache resumable.</para>
/// </remarks>
public sealed class ActivationCacheWriter : IDisposable
{
    private readonly List<ActivationCacheShard> _shards;
    private readonly string _manifestPath;
    private Tensor? _pending;
    private int _pendingCount;
    private bool _complete;
    private bool _disposed;

    private ActivationCacheWriter(string directory, int dIn, ActivationCacheWriterOptions options, List<ActivationCacheShard> shards)
    {
        Directory = directory;
        DIn = dIn;
        Options = options;
        _shards = shards;
        _manifestPath = Path.Combine(directory, ActivationCacheFiles.ManifestName);
        StoredTokens = shards.Sum(s => s.Tokens);
        ResumedTokens = StoredTokens;
    }

    /// <summary>Gets the cache folder (a full path).</summary>
    public string Directory { get; }

    /// <summary>Gets the width of every row.</summary>
    public int DIn { get; }

    /// <summary>Gets the options the writer was opened with.</summary>
    public ActivationCacheWriterOptions Options { get; }

    /// <summary>
    /// Gets the number of tokens the cache already held when this writer opened it: 0 for a new cache. A caller resuming an
    /// interrupted run skips this many tokens of its corpus before appending.
    /// </summary>
    public long ResumedTokens { get; }

    /// <summary>
    /// Gets the number of listed shards <see cref="Open"/> found damaged (missing, of the wrong size, or, with
    /// <see cref="ActivationCacheWriterOptions.VerifyChecksumsOnResume"/>, not matching their SHA-256) and discarded together
    /// with every shard after them; their tokens are not in <see cref="ResumedTokens"/>, so they are collected again.
    /// </summary>
    public int DiscardedShards { get; private init; }

    /// <summary>Gets the number of tokens in shards listed by the manifest (durable on disk).</summary>
    public long StoredTokens { get; private set; }

    /// <summary>Gets the number of appended tokens buffered for the next shard, not yet on disk.</summary>
    public long PendingTokens => _pendingCount;

    /// <summary>Gets the number of tokens in the cache including the buffered ones.</summary>
    public long TotalTokens => StoredTokens + _pendingCount;

    /// <summary>Gets the number of shards written.</summary>
    public int ShardCount => _shards.Count;

    /// <summary>Gets whether <see cref="Complete"/> has been called.</summary>
    public bool IsComplete => _complete;

    /// <summary>Gets the manifest as last written to disk.</summary>
    public ActivationCacheManifest Manifest => BuildManifest();

    /// <summary>
    /// Creates a cache in <paramref name="directory"/> (creating the folder if needed), or resumes the incomplete cache there.
    /// </summary>
    /// <param name="directory">The cache folder.</param>
    /// <param name="dIn">Width of the activation rows.</param>
    /// <param name="options">Storage options and description; the defaults when <see langword="null"/>.</param>
    /// <returns>The writer; see <see cref="ResumedTokens"/> for how much the cache already holds.</returns>
    /// <exception cref="ActivationCacheException">
    /// The existing manifest is malformed, the cache is complete, it was written with other settings (d_in, dtype, shard
    /// size, model, hook or layer), or the folder holds shard files but no manifest (the writer does not delete files it did
    /// not write). A listed shard that is missing, truncated or corrupted is not an error: it is redone (see
    /// <see cref="DiscardedShards"/>).
    /// </exception>
    public static ActivationCacheWriter Open(string directory, int dIn, ActivationCacheWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dIn);
        options ??= new ActivationCacheWriterOptions();
        options.Validate();

        string fullPath = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(fullPath);
        string manifestPath = Path.Combine(fullPath, ActivationCacheFiles.ManifestName);
        string[] fileNames = System.IO.Directory.GetFiles(fullPath).Select(f => Path.GetFileName(f)).ToArray();

        List<ActivationCacheShard> shards;
        int discarded = 0;
        if (File.Exists(manifestPath))
        {
            ActivationCacheManifest manifest = ActivationCacheManifestJson.Read(manifestPath);
            CheckResumable(manifest, manifestPath, dIn, options);
            shards = [.. manifest.Shards];
            // A damaged shard (missing, truncated, or not matching its checksum) is redone, with every shard after it, so
            // the stored tokens stay a prefix of the corpus.
            int intact = CountIntactShards(fullPath, shards, options.VerifyChecksumsOnResume);
            discarded = shards.Count - intact;
            shards.RemoveRange(intact, discarded);
            var listed = shards.Select(s => s.FileName).ToHashSet(StringComparer.Ordinal);
            foreach (string name in fileNames.Where(n => ActivationCacheFiles.IsTemporaryName(n)
                                                         || (ActivationCacheFiles.IsShardName(n) && !listed.Contains(n))))
            {
                // A shard written just before a crash, before the manifest listed it: it will be written again.
                File.Delete(Path.Combine(fullPath, name));
            }
        }
        else
        {
            string? foreign = fileNames.FirstOrDefault(ActivationCacheFiles.IsShardName);
            if (foreign is not null)
            {
                throw new ActivationCacheException(manifestPath, null,
                    $"the folder holds shard files such as '{foreign}' but no manifest; refusing to overwrite files this writer did not list");
            }
            shards = [];
        }

        var writer = new ActivationCacheWriter(fullPath, dIn, options, shards) { DiscardedShards = discarded };
        // Written up front so that a folder with shards always has a manifest, which is what lets resuming delete strays.
        writer.WriteManifest();
        return writer;
    }

    /// <summary>Appends the rows of <paramref name="batch"/>, writing a shard each time <see cref="ActivationCacheWriterOptions.ShardTokens"/> rows are buffered.</summary>
    /// <param name="batch">A <c>[n, d_in]</c> floating-point tensor on any device; it is converted to the storage dtype. The caller keeps ownership.</param>
    /// <exception cref="ArgumentException">The batch is not a floating-point <c>[n, d_in]</c> tensor.</exception>
    /// <exception cref="InvalidOperationException">The cache is complete or the writer is disposed.</exception>
    public void Append(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ThrowIfClosed();
        if (batch.dim() != 2 || batch.shape[1] != DIn)
        {
            throw new ArgumentException($"Expected a [n, {DIn}] batch, got [{string.Join(", ", batch.shape)}].", nameof(batch));
        }
        if (!batch.is_floating_point())
        {
            throw new ArgumentException($"Activations must be floating point, got {batch.dtype}.", nameof(batch));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long rows = batch.shape[0];
        long offset = 0;
        while (offset < rows)
        {
            _pending ??= empty([Options.ShardTokens, DIn], Options.StorageDType, CPU).DetachFromDisposeScope();
            long take = Math.Min(rows - offset, Options.ShardTokens - _pendingCount);
            _pending.narrow(0, _pendingCount, take).copy_(batch.narrow(0, offset, take));
            _pendingCount += (int)take;
            offset += take;
            if (_pendingCount == Options.ShardTokens)
            {
                WriteShard();
            }
        }
    }

    /// <summary>Writes the buffered rows as a last shard (if any) and marks the cache complete. Calling it again does nothing.</summary>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_complete) return;
        if (_pendingCount > 0) WriteShard();
        _complete = true;
        WriteManifest();
        ReleaseBuffer();
    }

    /// <summary>Releases the shard buffer. Rows appended since the last shard are discarded unless <see cref="Complete"/> was called.</summary>
    public void Dispose()
    {
        _disposed = true;
        ReleaseBuffer();
    }

    private void ThrowIfClosed()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_complete) throw new InvalidOperationException($"The activation cache '{Directory}' is complete; nothing more can be appended.");
    }

    private void WriteShard()
    {
        string name = ActivationCacheFiles.ShardName(_shards.Count);
        string path = Path.Combine(Directory, name);
        using (Tensor rows = _pending!.narrow(0, 0, _pendingCount))
        {
            SafeTensors.Save(path, new Dictionary<string, Tensor> { [ActivationCacheFiles.TensorName] = rows });
        }
        // Hashing what is on disk, rather than the bytes as written, also catches a write the OS got wrong.
        _shards.Add(new ActivationCacheShard(name, _pendingCount, new FileInfo(path).Length, ActivationCacheFiles.Sha256(path)));
        StoredTokens += _pendingCount;
        _pendingCount = 0;
        WriteManifest();
    }

    private void WriteManifest() => ActivationCacheManifestJson.Write(_manifestPath, BuildManifest());

    private ActivationCacheManifest BuildManifest() => new()
    {
        ModelName = Options.ModelName,
        HookName = Options.HookName,
        Layer = Options.Layer,
        DIn = DIn,
        DType = Options.StorageDType,
        ShardTokens = Options.ShardTokens,
        Complete = _complete,
        Shards = _shards.ToArray(),
    };

    private void ReleaseBuffer()
    {
        _pending?.Dispose();
        _pending = null;
    }

    private static void CheckResumable(ActivationCacheManifest manifest, string manifestPath, int dIn, ActivationCacheWriterOptions options)
    {
        void Same<T>(string field, T stored, T requested)
        {
            if (!EqualityComparer<T>.Default.Equals(stored, requested))
            {
                throw new ActivationCacheException(manifestPath, field,
                    $"the cache was written with {Show(stored)}, but the writer was opened with {Show(requested)}");
            }
        }
        static string Show<T>(T value) => value is null ? "null" : $"'{value}'";

        if (manifest.Complete)
        {
            throw new ActivationCacheException(manifestPath, "complete", "the cache is complete; read it, or write to another folder");
        }
        Same("d_in", manifest.DIn, dIn);
        Same("dtype", ActivationCacheDTypes.Name(manifest.DType), ActivationCacheDTypes.Name(options.StorageDType));
        Same("shard_tokens", manifest.ShardTokens, options.ShardTokens);
        Same("model_name", manifest.ModelName, options.ModelName);
        Same("hook_name", manifest.HookName, options.HookName);
        Same("layer", manifest.Layer, options.Layer);

        string directory = Path.GetDirectoryName(manifestPath)!;
        for (int i = 0; i < manifest.Shards.Count; i++)
        {
            ActivationCacheShard shard = manifest.Shards[i];
            // New shards are named by index, so the listed ones must be too, or a new shard could overwrite one.
            if (shard.FileName != ActivationCacheFiles.ShardName(i))
            {
                throw new ActivationCacheException(manifestPath, $"shards[{i}].file",
                    $"'{shard.FileName}' is not '{ActivationCacheFiles.ShardName(i)}'; only caches this writer started can be resumed");
            }
        }
    }

    private static int CountIntactShards(string directory, List<ActivationCacheShard> shards, bool verifyChecksums)
    {
        for (int i = 0; i < shards.Count; i++)
        {
            string path = Path.Combine(directory, shards[i].FileName);
            var info = new FileInfo(path);
            if (!info.Exists || info.Length != shards[i].Bytes) return i;
            if (verifyChecksums && ActivationCacheFiles.Sha256(path) != shards[i].Sha256) return i;
        }
        return shards.Count;
    }
}
