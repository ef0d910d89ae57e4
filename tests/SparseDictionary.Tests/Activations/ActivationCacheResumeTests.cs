using SparseDictionary.Activations;
using SparseDictionary.Tests.Formats;
using Xunit;
using static SparseDictionary.Tests.Activations.ActivationCacheTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Activations;

/// <summary>Reopening an interrupted cache continues it, and the result holds every token exactly once, in order.</summary>
public sealed class ActivationCacheResumeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Dir => _temp.File("cache");

    private string ManifestPath => Path.Combine(Dir, "manifest.json");

    private string ShardPath(int index) => Path.Combine(Dir, $"shard-{index:D5}.safetensors");

    /// <summary>Writes five 1,000-token shards and stops without completing, as a killed process would.</summary>
    private void WriteFiveShardsAndCrash()
    {
        using var writer = ActivationCacheWriter.Open(Dir, DIn, Options(1_000));
        Append(writer, 0, 5_000);
        Assert.Equal(5, writer.ShardCount);
    }

    [Fact]
    public void CrashBetweenShardAndManifestIsRedone()
    {
        WriteFiveShardsAndCrash();
        // The state a crash after writing shard 4 but before listing it leaves: the manifest lists four shards, five exist,
        // plus the temporary file of a manifest rewrite that never got renamed.
        ActivationCacheManifest manifest = ActivationCacheReader.ReadManifest(Dir);
        ActivationCacheManifestJson.Write(ManifestPath, manifest with { Shards = manifest.Shards.Take(4).ToArray() });
        File.WriteAllText(ManifestPath + ".0123456789abcdef0123456789abcdef.tmp", "{");
        Assert.True(File.Exists(ShardPath(4)));

        using (var writer = ActivationCacheWriter.Open(Dir, DIn, Options(1_000)))
        {
            Assert.Equal(4_000, writer.ResumedTokens);
            Assert.Equal(4_000, writer.StoredTokens);
            Assert.Equal(4, writer.ShardCount);
            Assert.False(File.Exists(ShardPath(4)));
            Assert.Equal(["manifest.json", "shard-00000.safetensors", "shard-00001.safetensors", "shard-00002.safetensors", "shard-00003.safetensors"],
                Directory.GetFiles(Dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            // The caller skips the tokens already stored and appends the rest of its corpus.
            Append(writer, writer.ResumedTokens, 10_000, batch: 1_234);
            writer.Complete();
        }

        ActivationCacheReader cache = ActivationCacheReader.Open(Dir, verifyChecksums: true);
        Assert.Equal(10, cache.ShardCount);
        Assert.Equal(10_000, cache.TotalTokens);
        using var source = new CachedActivationSource(cache);
        AssertExactly(Rows(0, 10_000), ReadAll(source, 999));
    }

    [Fact]
    public void BufferedRowsOfACrashedRunAreReappended()
    {
        using (var writer = ActivationCacheWriter.Open(Dir, DIn, Options(1_000)))
        {
            Append(writer, 0, 2_500);
        }
        File.WriteAllText(ShardPath(2) + ".fedcba9876543210fedcba9876543210.tmp", "partial");

        using (var writer = ActivationCacheWriter.Open(Dir, DIn, Options(1_000)))
        {
            Assert.Equal(2_000, writer.ResumedTokens);
            Assert.DoesNotContain(Directory.GetFiles(Dir), f => f.EndsWith(".tmp", StringComparison.Ordinal));
            Append(writer, 2_000, 3_300);
            writer.Complete();
        }

        using var source = new CachedActivationSource(ActivationCacheReader.Open(Dir, verifyChecksums: true));
        AssertExactly(Rows(0, 3_300), ReadAll(source, 512));
    }

    [Fact]
    public void ResumingWithOtherSettingsIsRefused()
    {
        WriteFiveShardsAndCrash();
        AssertRefused(() => ActivationCacheWriter.Open(Dir, DIn + 1, Options(1_000)), "d_in");
        AssertRefused(() => ActivationCacheWriter.Open(Dir, DIn, Options(1_000, ScalarType.Float16)), "dtype");
        AssertRefused(() => ActivationCacheWriter.Open(Dir, DIn, Options(999)), "shard_tokens");
        AssertRefused(() => ActivationCacheWriter.Open(Dir, DIn, Options(1_000) with { HookName = "other" }), "hook_name");
        AssertRefused(() => ActivationCacheWriter.Open(Dir, DIn, Options(1_000) with { Layer = null }), "layer");
        // Nothing was deleted by the refused attempts.
        Assert.Equal(5_000, ActivationCacheReader.Open(Dir, verifyChecksums: true, allowIncomplete: true).TotalTokens);
    }

    [Fact]
    public void CompleteCacheCannotBeResumed()
    {
        Write(Dir, 100, 30);
        AssertRefused(() => ActivationCacheWriter.Open(Dir, DIn, Options(30)), "complete");
    }

    public enum Damage { Missing, Truncated, FlippedByte, Emptied }

    [Theory]
    [InlineData(Damage.Missing)]
    [InlineData(Damage.Truncated)]
    [InlineData(Damage.FlippedByte)]
    [InlineData(Damage.Emptied)]
    public void ADamagedListedShardIsRedoneWithEveryShardAfterIt(Damage damage)
    {
        WriteFiveShardsAndCrash();
        string shard = ShardPath(2);
        byte[] bytes = File.ReadAllBytes(shard);
        switch (damage)
        {
            case Damage.Missing: File.Delete(shard); break;
            case Damage.Truncated: File.WriteAllBytes(shard, bytes[..^100]); break;
            // Same size: only the checksum can tell.
            case Damage.FlippedByte: bytes[^3] ^= 0x10; File.WriteAllBytes(shard, bytes); break;
            case Damage.Emptied: File.WriteAllBytes(shard, []); break;
        }

        using (var writer = ActivationCacheWriter.Open(Dir, DIn, Options(1_000)))
        {
            Assert.Equal(3, writer.DiscardedShards);
            Assert.Equal(2_000, writer.ResumedTokens);
            Assert.Equal(["manifest.json", "shard-00000.safetensors", "shard-00001.safetensors"],
                Directory.GetFiles(Dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Append(writer, writer.ResumedTokens, 7_500, batch: 1_111);
            writer.Complete();
        }

        // No token lost or duplicated: the manifest counts the corpus, and the rows are the corpus in order.
        ActivationCacheReader cache = ActivationCacheReader.Open(Dir, verifyChecksums: true);
        Assert.Equal(7_500, cache.TotalTokens);
        Assert.Equal(7_500, cache.Manifest.Shards.Sum(s => s.Tokens));
        using var source = new CachedActivationSource(cache);
        AssertExactly(Rows(0, 7_500), ReadAll(source, 999));
    }

    [Fact]
    public void WithoutChecksumVerificationOnlySizesAreChecked()
    {
        WriteFiveShardsAndCrash();
        byte[] bytes = File.ReadAllBytes(ShardPath(3));
        bytes[^3] ^= 0x10;
        File.WriteAllBytes(ShardPath(3), bytes);
        using var writer = ActivationCacheWriter.Open(Dir, DIn, Options(1_000) with { VerifyChecksumsOnResume = false });
        Assert.Equal((0, 5_000L), (writer.DiscardedShards, writer.ResumedTokens));
    }

    [Fact]
    public void ShardFilesWithoutManifestAreNotTouched()
    {
        Directory.CreateDirectory(Dir);
        File.WriteAllText(ShardPath(0), "someone else's file");
        var error = Assert.Throws<ActivationCacheException>(() => ActivationCacheWriter.Open(Dir, DIn, Options(1_000)));
        Assert.Equal(ManifestPath, error.FilePath);
        Assert.Equal("someone else's file", File.ReadAllText(ShardPath(0)));
        Assert.False(File.Exists(ManifestPath));
    }

    private void AssertRefused(Func<ActivationCacheWriter> open, string field)
    {
        var error = Assert.Throws<ActivationCacheException>(() => open().Dispose());
        Assert.Equal(ManifestPath, error.FilePath);
        Assert.Equal(field, error.Field);
        Assert.Contains($"'{ManifestPath}'", error.Message);
    }
}
