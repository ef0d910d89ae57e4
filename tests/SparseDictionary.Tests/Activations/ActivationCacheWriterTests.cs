using System.Security.Cryptography;
using System.Text.Json;
using SparseDictionary.Activations;
using SparseDictionary.Formats;
using SparseDictionary.Tests.Formats;
using TorchSharp;
using Xunit;
using static SparseDictionary.Tests.Activations.ActivationCacheTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Activations;

/// <summary>What the writer puts on disk, and that reading it back gives the written rows.</summary>
public sealed class ActivationCacheWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void TenThousandTokensInShardsOfThreeThousand()
    {
        string dir = _temp.File("cache");
        ActivationCacheManifest manifest = Write(dir, 10_000, 3_000);

        Assert.Equal(["manifest.json", "shard-00000.safetensors", "shard-00001.safetensors", "shard-00002.safetensors", "shard-00003.safetensors"],
            Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([3000L, 3000, 3000, 1000], manifest.Shards.Select(s => s.Tokens));
        Assert.Equal(10_000, manifest.TotalTokens);
        Assert.True(manifest.Complete);

        long first = 0;
        foreach (ActivationCacheShard shard in manifest.Shards)
        {
            string path = Path.Combine(dir, shard.FileName);
            Assert.Equal(new FileInfo(path).Length, shard.Bytes);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), shard.Sha256);
            Dictionary<string, Tensor> tensors = SafeTensors.LoadAll(path);
            Tensor stored = Assert.Single(tensors, t => t.Key == "activations").Value;
            AssertExactly(Rows(first, shard.Tokens), stored);
            first += shard.Tokens;
        }

        using var source = new CachedActivationSource(ActivationCacheReader.Open(dir, verifyChecksums: true));
        AssertExactly(Rows(0, 10_000), ReadAll(source, 1024));
        Assert.Equal(10_000, source.Position);
        Assert.Null(source.NextBatch(1));
    }

    [Fact]
    public void ManifestJsonLayout()
    {
        string dir = _temp.File("cache");
        Write(dir, 5, 2, ScalarType.BFloat16);

        using JsonDocument json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "manifest.json")));
        JsonElement root = json.RootElement;
        Assert.Equal(1, root.GetProperty("format_version").GetInt32());
        Assert.Equal("test-model", root.GetProperty("model_name").GetString());
        Assert.Equal("blocks.3.hook_resid_post", root.GetProperty("hook_name").GetString());
        Assert.Equal("3", root.GetProperty("layer").GetString());
        Assert.Equal(DIn, root.GetProperty("d_in").GetInt32());
        Assert.Equal("BF16", root.GetProperty("dtype").GetString());
        Assert.Equal(2, root.GetProperty("shard_tokens").GetInt32());
        Assert.Equal(5, root.GetProperty("total_tokens").GetInt64());
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal("sha256", root.GetProperty("checksum").GetString());
        JsonElement[] shards = root.GetProperty("shards").EnumerateArray().ToArray();
        Assert.Equal(["shard-00000.safetensors", "shard-00001.safetensors", "shard-00002.safetensors"], shards.Select(s => s.GetProperty("file").GetString()));
        Assert.Equal([2L, 2, 1], shards.Select(s => s.GetProperty("tokens").GetInt64()));
        Assert.All(shards, s => Assert.Matches("^[0-9a-f]{64}$", s.GetProperty("sha256").GetString()));
        Assert.All(shards, s => Assert.True(s.GetProperty("bytes").GetInt64() > 0));
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void HalfPrecisionStorageRoundTripsWithinItsPrecision(ScalarType dtype)
    {
        string dir = _temp.File("cache");
        Write(dir, 2_500, 1_000, dtype);

        using var source = new CachedActivationSource(ActivationCacheReader.Open(dir));
        Tensor read = ReadAll(source, 600);
        Assert.Equal(ScalarType.Float32, read.dtype);
        // Exactly the rounded values: the cache adds no error beyond the storage dtype's.
        AssertExactly(Rows(0, 2_500).to(dtype).to(ScalarType.Float32), read);
        double relative = dtype == ScalarType.Float16 ? 1.0 / 2048 : 1.0 / 256;
        Assert.True(read.allclose(Rows(0, 2_500), rtol: relative, atol: 0));
        // And they are rounded: half precision cannot hold 2499.875.
        Assert.False(read.eq(Rows(0, 2_500)).all().ToBoolean());
    }

    [Fact]
    public void ManifestListsOnlyWrittenShardsUntilComplete()
    {
        string dir = _temp.File("cache");
        using var writer = ActivationCacheWriter.Open(dir, DIn, Options(1_000));
        Assert.Equal(0, writer.ResumedTokens);
        Assert.Empty(ActivationCacheReader.ReadManifest(dir).Shards);

        Append(writer, 0, 3_500);
        ActivationCacheManifest onDisk = ActivationCacheReader.ReadManifest(dir);
        Assert.False(onDisk.Complete);
        Assert.Equal(3_000, onDisk.TotalTokens);
        Assert.Equal(3_000, writer.StoredTokens);
        Assert.Equal(500, writer.PendingTokens);
        Assert.Equal(3_500, writer.TotalTokens);
        Assert.Throws<ActivationCacheException>(() => ActivationCacheReader.Open(dir));
        Assert.Equal(3_000, ActivationCacheReader.Open(dir, allowIncomplete: true).TotalTokens);

        writer.Complete();
        Assert.True(ActivationCacheReader.ReadManifest(dir).Complete);
        Assert.Equal(3_500, ActivationCacheReader.Open(dir).TotalTokens);
        Assert.Throws<InvalidOperationException>(() => writer.Append(Rows(0, 1)));
    }

    [Fact]
    public void RejectsBadBatchesAndOptions()
    {
        using var writer = ActivationCacheWriter.Open(_temp.File("cache"), DIn, Options(10));
        Assert.Throws<ArgumentException>(() => writer.Append(Rows(0, 3, DIn + 1)));
        Assert.Throws<ArgumentException>(() => writer.Append(ones(3, DIn, dtype: ScalarType.Int32)));
        Assert.Throws<ArgumentException>(() => writer.Append(ones(DIn)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationCacheWriter.Open(_temp.File("b"), DIn, Options(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationCacheWriter.Open(_temp.File("c"), DIn, Options(10, ScalarType.Float64)));
    }

    [Fact]
    public void AcceptsGradientTrackingAndDoubleInput()
    {
        string dir = _temp.File("cache");
        using (var writer = ActivationCacheWriter.Open(dir, DIn, Options(4)))
        {
            writer.Append(Rows(0, 5, dtype: ScalarType.Float64).requires_grad_());
            writer.Complete();
        }
        using var source = new CachedActivationSource(ActivationCacheReader.Open(dir));
        AssertExactly(Rows(0, 5), ReadAll(source, 10));
    }
}
