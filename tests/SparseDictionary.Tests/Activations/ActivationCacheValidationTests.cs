using System.Text.Json.Nodes;
using SparseDictionary.Activations;
using SparseDictionary.Formats;
using SparseDictionary.Tests.Formats;
using Xunit;
using static SparseDictionary.Tests.Activations.ActivationCacheTestData;

namespace SparseDictionary.Tests.Activations;

/// <summary>Every broken cache gives an <see cref="ActivationCacheException"/> naming the file and, where there is one, the field.</summary>
public sealed class ActivationCacheValidationTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _dir;

    public ActivationCacheValidationTests()
    {
        _dir = _temp.File("cache");
        Write(_dir, 1_000, 300);
    }

    public void Dispose() => _temp.Dispose();

    private string ManifestPath => Path.Combine(_dir, "manifest.json");

    private string ShardPath(int index) => Path.Combine(_dir, $"shard-{index:D5}.safetensors");

    private ActivationCacheException OpenFails(string file, string? field, bool verifyChecksums = false)
    {
        var error = Assert.Throws<ActivationCacheException>(() => ActivationCacheReader.Open(_dir, verifyChecksums));
        Assert.Equal(file, error.FilePath);
        Assert.Contains($"'{file}'", error.Message);
        Assert.Equal(field, error.Field);
        if (field is not null) Assert.Contains($"'{field}'", error.Message);
        return error;
    }

    private void EditManifest(Action<JsonObject> edit)
    {
        JsonObject root = JsonNode.Parse(File.ReadAllText(ManifestPath))!.AsObject();
        edit(root);
        File.WriteAllText(ManifestPath, root.ToJsonString());
    }

    [Fact]
    public void IntactCacheOpens()
    {
        ActivationCacheReader cache = ActivationCacheReader.Open(_dir, verifyChecksums: true);
        Assert.Equal(1_000, cache.TotalTokens);
        Assert.Equal(4, cache.ShardCount);
    }

    [Fact]
    public void MissingManifest()
    {
        File.Delete(ManifestPath);
        Assert.Contains("missing", OpenFails(ManifestPath, null).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"format_version\": 1,")]
    [InlineData("[1, 2]")]
    public void ManifestNotAJsonObject(string text)
    {
        File.WriteAllText(ManifestPath, text);
        OpenFails(ManifestPath, null);
    }

    [Theory]
    [InlineData("d_in", "\"8\"")]
    [InlineData("d_in", "0")]
    [InlineData("d_in", "8.5")]
    [InlineData("dtype", "\"F64\"")]
    [InlineData("format_version", "2")]
    [InlineData("complete", "1")]
    [InlineData("total_tokens", "999")]
    [InlineData("shards", "{}")]
    public void ManifestFieldInvalid(string field, string json)
    {
        EditManifest(root => root[field] = JsonNode.Parse(json));
        OpenFails(ManifestPath, field);
    }

    [Theory]
    [InlineData("model_name")]
    [InlineData("d_in")]
    [InlineData("shards")]
    [InlineData("complete")]
    public void ManifestFieldMissing(string field)
    {
        EditManifest(root => root.Remove(field));
        Assert.Contains("missing", OpenFails(ManifestPath, field).Message);
    }

    [Theory]
    [InlineData("../shard-00001.safetensors")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/shard.safetensors")]
    [InlineData("")]
    public void ShardFileNameOutsideTheFolder(string name)
    {
        EditManifest(root => root["shards"]![1]!["file"] = name);
        OpenFails(ManifestPath, "shards[1].file");
    }

    [Fact]
    public void MissingShard()
    {
        File.Delete(ShardPath(2));
        Assert.Contains("missing", OpenFails(ShardPath(2), "shards[2].file").Message);
    }

    [Fact]
    public void TruncatedShard()
    {
        using (var stream = new FileStream(ShardPath(1), FileMode.Open))
        {
            stream.SetLength(stream.Length - 4);
        }
        OpenFails(ShardPath(1), "shards[1].bytes");
    }

    [Fact]
    public void ChangedByteIsCaughtByChecksumVerification()
    {
        byte[] bytes = File.ReadAllBytes(ShardPath(3));
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(ShardPath(3), bytes);

        Assert.Contains("SHA-256", OpenFails(ShardPath(3), "shards[3].sha256", verifyChecksums: true).Message);
        // Without verification only sizes and headers are checked: the change goes unnoticed.
        Assert.Equal(1_000, ActivationCacheReader.Open(_dir).TotalTokens);
    }

    [Fact]
    public void ManifestWithWrongDIn()
    {
        EditManifest(root => root["d_in"] = DIn * 2);
        var error = OpenFails(ShardPath(0), "d_in");
        Assert.Contains("16", error.Message);
    }

    [Fact]
    public void ManifestWithWrongDType()
    {
        EditManifest(root => root["dtype"] = "F16");
        Assert.Contains("F32", OpenFails(ShardPath(0), "dtype").Message);
    }

    [Fact]
    public void ManifestWithWrongShardTokens()
    {
        EditManifest(root =>
        {
            root["shards"]![1]!["tokens"] = 299;
            root["total_tokens"] = 999;
        });
        OpenFails(ShardPath(1), "shards[1].tokens");
    }

    [Fact]
    public void ShardThatIsNotSafetensors()
    {
        long length = new FileInfo(ShardPath(0)).Length;
        File.WriteAllBytes(ShardPath(0), new byte[length]);
        var error = OpenFails(ShardPath(0), null);
        Assert.IsType<SafeTensorsFormatException>(error.InnerException);
    }

    [Fact]
    public void IncompleteCacheIsRefusedUnlessAllowed()
    {
        EditManifest(root => root["complete"] = false);
        OpenFails(ManifestPath, "complete");
        Assert.Equal(1_000, ActivationCacheReader.Open(_dir, allowIncomplete: true).TotalTokens);
    }
}
