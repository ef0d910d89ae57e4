using SparseDictionary.Activations;
using SparseDictionary.Formats;
using SparseDictionary.Tests.Formats;
using TorchSharp;
using Xunit;
using static SparseDictionary.Tests.Activations.ActivationCacheTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Activations;

/// <summary>Reading a cache through memory-mapped shards: positions, resuming, cycling, and that shards are mapped lazily.</summary>
public sealed class CachedActivationSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteCache(long tokens = 10_000, int shardTokens = 3_000, ScalarType dtype = ScalarType.Float32)
    {
        string dir = _temp.File("cache");
        Write(dir, tokens, shardTokens, dtype);
        return dir;
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void MappedShardEqualsTheShardLoadedByTheSafetensorsReader(ScalarType dtype)
    {
        string dir = WriteCache(dtype: dtype);
        ActivationCacheReader cache = ActivationCacheReader.Open(dir);
        for (int i = 0; i < cache.ShardCount; i++)
        {
            using Tensor mapped = cache.MapShard(i);
            using Tensor loaded = SafeTensors.LoadAll(Path.Combine(dir, cache.Manifest.Shards[i].FileName))["activations"];
            Assert.Equal(dtype, mapped.dtype);
            Assert.Equal([cache.Manifest.Shards[i].Tokens, (long)DIn], mapped.shape);
            // The view starts past the header: a storage offset, not a copy.
            Assert.True(mapped.storage_offset() > 0);
            AssertExactly(loaded, mapped);
            AssertExactly(Rows(cache.ShardStart(i), 1, dtype: dtype), mapped.narrow(0, 0, 1));
        }
    }

    [Fact]
    public void ShardsAreMappedOneAtATimeAndOnlyWhenRead()
    {
        ActivationCacheReader cache = ActivationCacheReader.Open(WriteCache());
        using var source = new CachedActivationSource(cache);
        Assert.Null(source.MappedShardIndex);

        using (source.NextBatch(1_000)) Assert.Equal(0, source.MappedShardIndex);
        using (source.NextBatch(2_500)) Assert.Equal(1, source.MappedShardIndex);  // spans shards 0 and 1
        using (source.NextBatch(6_000)) Assert.Equal(3, source.MappedShardIndex);  // spans 1, 2 and 3
        source.Dispose();
        Assert.Null(source.MappedShardIndex);
    }

    [Fact]
    public void RowsComeFromTheMappedFileNotFromACopy()
    {
        // On Linux a private mapping shows later writes to pages it has not modified. A reader that loaded shards up front
        // would keep returning the old values. (Other systems may not share pages that way, or refuse the write.)
        if (!OperatingSystem.IsLinux()) return;

        string dir = WriteCache();
        ActivationCacheReader cache = ActivationCacheReader.Open(dir);
        using var source = new CachedActivationSource(cache);
        using (Tensor first = source.NextBatch(10)!) Assert.Equal(0.0, first[0, 0].ToDouble());
        Assert.Equal(0, source.MappedShardIndex);

        // Overwrite row 2,000, column 0 of shard 0 in place: same size, so the cache stays valid by its size check.
        using (SafeTensorsFile file = SafeTensors.Open(Path.Combine(dir, "shard-00000.safetensors")))
        using (var stream = new FileStream(file.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Position = file.DataStart + file.Info("activations").Begin + 2_000L * DIn * sizeof(float);
            stream.Write(BitConverter.GetBytes(-42f));
        }

        using var skip = source.NextBatch(1_990);
        using Tensor batch = source.NextBatch(1)!;
        Assert.Equal(-42.0, batch[0, 0].ToDouble());
        Assert.Equal(2_000.125, batch[0, 1].ToDouble());
    }

    [Fact]
    public void StartsAtAGivenPosition()
    {
        ActivationCacheReader cache = ActivationCacheReader.Open(WriteCache());
        using var source = new CachedActivationSource(cache, new CachedActivationSourceOptions { StartPosition = 4_500 });
        Assert.Equal(4_500, source.Position);
        AssertExactly(Rows(4_500, 5_500), ReadAll(source, 1_000));
        Assert.Equal(10_000, source.Position);

        Assert.Throws<ArgumentOutOfRangeException>(() => new CachedActivationSource(cache, new CachedActivationSourceOptions { StartPosition = 10_001 }));
        using var atEnd = new CachedActivationSource(cache, new CachedActivationSourceOptions { StartPosition = 10_000 });
        Assert.Null(atEnd.NextBatch(1));
    }

    [Fact]
    public void CyclesAcrossTheEndWithinOneBatch()
    {
        ActivationCacheReader cache = ActivationCacheReader.Open(WriteCache());
        using var source = new CachedActivationSource(cache, new CachedActivationSourceOptions { Cycle = true, StartPosition = 19_000 });
        using Tensor batch = source.NextBatch(2_500)!;
        AssertExactly(cat([Rows(9_000, 1_000), Rows(0, 1_500)]), batch);
        Assert.Equal(21_500, source.Position);
        using Tensor next = source.NextBatch(100)!;
        AssertExactly(Rows(1_500, 100), next);
    }

    [Fact]
    public void KeepsTheStoredDTypeWhenAsked()
    {
        ActivationCacheReader cache = ActivationCacheReader.Open(WriteCache(dtype: ScalarType.Float16));
        using var source = new CachedActivationSource(cache, new CachedActivationSourceOptions { OutputDType = null });
        using Tensor batch = source.NextBatch(5)!;
        AssertExactly(Rows(0, 5, dtype: ScalarType.Float16), batch);
    }

    [Fact]
    public void BatchesOutliveTheSourceAndTheMapping()
    {
        ActivationCacheReader cache = ActivationCacheReader.Open(WriteCache());
        Tensor batch;
        using (var source = new CachedActivationSource(cache))
        {
            batch = source.NextBatch(3)!;
        }
        AssertExactly(Rows(0, 3), batch);
        batch.Dispose();
    }

    [Fact]
    public void BatchesBelongToTheCallersDisposeScope()
    {
        ActivationCacheReader cache = ActivationCacheReader.Open(WriteCache());
        using var source = new CachedActivationSource(cache);
        Tensor batch;
        using (NewDisposeScope())
        {
            batch = source.NextBatch(3_500)!;
            Assert.False(batch.IsInvalid);
        }
        Assert.True(batch.IsInvalid);
        // The mapping is the source's, not the caller's: it survived the scope.
        AssertExactly(Rows(3_500, 3), source.NextBatch(3)!);
    }

    [Fact]
    public void EmptyCacheReturnsNull()
    {
        string dir = _temp.File("empty");
        using (var writer = ActivationCacheWriter.Open(dir, DIn))
        {
            writer.Complete();
        }
        using var source = new CachedActivationSource(ActivationCacheReader.Open(dir), new CachedActivationSourceOptions { Cycle = true });
        Assert.Null(source.NextBatch(10));
    }
}
