using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace SparseDictionary.Activations;

/// <summary>The names of the files in an activation cache folder, and the checksum the manifest records for each shard.</summary>
internal static partial class ActivationCacheFiles
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "manifest.json";

    /// <summary>The name of the one tensor each shard holds.</summary>
    public const string TensorName = "activations";

    /// <summary>The file name of shard <paramref name="index"/>; five digits keep 100,000 shards in lexical order.</summary>
    public static string ShardName(int index) => $"shard-{index:D5}.safetensors";

    /// <summary>Whether <paramref name="fileName"/> looks like a shard this library writes.</summary>
    public static bool IsShardName(string fileName) => ShardNamePattern().IsMatch(fileName);

    /// <summary>
    /// Whether <paramref name="fileName"/> is a temporary file <c>AtomicFile</c> leaves behind when a process dies mid-write
    /// (<c>name.guid.tmp</c>) of the manifest or a shard.
    /// </summary>
    public static bool IsTemporaryName(string fileName) => TemporaryNamePattern().IsMatch(fileName);

    /// <summary>The SHA-256 of the file at <paramref name="path"/>, as lowercase hexadecimal; reads the file once, streaming.</summary>
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    [GeneratedRegex(@"^shard-[0-9]{5,}\.safetensors$", RegexOptions.CultureInvariant)]
    private static partial Regex ShardNamePattern();

    [GeneratedRegex(@"^(manifest\.json|shard-[0-9]{5,}\.safetensors)\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryNamePattern();
}
