using System.Text.Json;
using SparseDictionary.Formats;

namespace SparseDictionary.Activations;

/// <summary>Reads and writes <c>manifest.json</c>, strictly: every field is checked for presence and type.</summary>
/// <remarks>
/// Layout (snake_case, as the Python tools around SAELens use):
/// <c>{"format_version": 1, "model_name": "...", "hook_name": "...", "layer": "..." | null, "d_in": 768, "dtype": "F32",
/// "shard_tokens": 65536, "total_tokens": 10000, "complete": true, "checksum": "sha256",
/// "shards": [{"file": "shard-00000.safetensors", "tokens": 3000, "bytes": 96136, "sha256": "…"}, …]}</c>.
/// Unknown fields are ignored, so later versions may add some without breaking older readers.
/// </remarks>
internal static class ActivationCacheManifestJson
{
    /// <summary>Largest manifest read; one with a million shards is about 150 MB, far beyond any real cache.</summary>
    public const long MaxFileBytes = 256L << 20;

    private const string ChecksumAlgorithm = "sha256";

    // The manifest's wording: "field 'd_in': expected an integer, found String".
    private static readonly JsonObjectReader.Wording Wording = new(
        "the field is missing", "the field appears more than once", (what, found) => $"expected {what}, found {found.ValueKind}");

    public static ActivationCacheManifest Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ActivationCacheException(path, null, "the manifest is missing; is this an activation cache folder?");
        }
        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            throw new ActivationCacheException(path, null, $"the manifest is {length} bytes, over the limit of {MaxFileBytes}");
        }

        JsonDocument document;
        try
        {
            document = StrictJson.Parse(File.ReadAllBytes(path), 8);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new ActivationCacheException(path, null, $"the manifest is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var fields = new JsonObjectReader(document.RootElement, path, (file, field, detail) => new ActivationCacheException(file, field, detail), wording: Wording);
            int version = Int(fields, "format_version", min: 1);
            if (version != ActivationCacheManifest.CurrentFormatVersion)
            {
                throw new ActivationCacheException(path, "format_version",
                    $"version {version} is not supported; this library reads version {ActivationCacheManifest.CurrentFormatVersion}");
            }
            string dtypeName = fields.RequireString("dtype");
            if (!ActivationCacheDTypes.TryParse(dtypeName, out torch.ScalarType dtype))
            {
                throw new ActivationCacheException(path, "dtype", $"'{dtypeName}' is not one of F32, F16, BF16");
            }
            string checksum = fields.RequireString("checksum");
            if (checksum != ChecksumAlgorithm)
            {
                throw new ActivationCacheException(path, "checksum", $"'{checksum}' is not supported; expected '{ChecksumAlgorithm}'");
            }

            var manifest = new ActivationCacheManifest
            {
                FormatVersion = version,
                ModelName = fields.RequireString("model_name"),
                HookName = fields.RequireString("hook_name"),
                Layer = fields.Optional("layer", JsonValueKind.String, "a string or null")?.GetString(),
                DIn = Int(fields, "d_in", min: 1),
                DType = dtype,
                ShardTokens = Int(fields, "shard_tokens", min: 1),
                Complete = fields.RequireBool("complete"),
                Shards = fields.RequireObjects("shards").Select(ReadShard).ToArray(),
            };
            long total = Long(fields, "total_tokens", min: 0);
            if (total != manifest.TotalTokens)
            {
                throw new ActivationCacheException(path, "total_tokens", $"{total} is not the sum of the shards' tokens, {manifest.TotalTokens}");
            }
            return manifest;
        }
    }

    public static void Write(string path, ActivationCacheManifest manifest)
    {
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteNumber("format_version", manifest.FormatVersion);
            json.WriteString("model_name", manifest.ModelName);
            json.WriteString("hook_name", manifest.HookName);
            if (manifest.Layer is null) json.WriteNull("layer");
            else json.WriteString("layer", manifest.Layer);
            json.WriteNumber("d_in", manifest.DIn);
            json.WriteString("dtype", ActivationCacheDTypes.Name(manifest.DType));
            json.WriteNumber("shard_tokens", manifest.ShardTokens);
            json.WriteNumber("total_tokens", manifest.TotalTokens);
            json.WriteBoolean("complete", manifest.Complete);
            json.WriteString("checksum", ChecksumAlgorithm);
            json.WriteStartArray("shards");
            foreach (ActivationCacheShard shard in manifest.Shards)
            {
                json.WriteStartObject();
                json.WriteString("file", shard.FileName);
                json.WriteNumber("tokens", shard.Tokens);
                json.WriteNumber("bytes", shard.Bytes);
                json.WriteString("sha256", shard.Sha256);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static ActivationCacheShard ReadShard(JsonObjectReader fields)
    {
        string file = fields.RequireString("file");
        // The name is joined to the cache folder: anything but a plain file name could point outside it.
        if (file.Length == 0 || file != Path.GetFileName(file) || file is "." or ".." || file.IndexOfAny(['/', '\\']) >= 0)
        {
            throw fields.Error("file", $"'{file}' is not a plain file name inside the cache folder");
        }
        string sha = fields.RequireString("sha256");
        if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower))
        {
            throw fields.Error("sha256", "expected 64 lowercase hexadecimal digits");
        }
        return new ActivationCacheShard(file, Long(fields, "tokens", min: 1), Long(fields, "bytes", min: 1), sha);
    }

    private static int Int(JsonObjectReader fields, string name, int min) => (int)Long(fields, name, min, int.MaxValue);

    // The errors name the value and the range: "8.5 is not an integer", "0 is out of range [1, 2147483647]".
    private static long Long(JsonObjectReader fields, string name, long min, long max = long.MaxValue)
    {
        JsonElement value = fields.Require(name, JsonValueKind.Number, "an integer");
        if (!value.TryGetInt64(out long number)) throw fields.Error(name, $"{value.GetRawText()} is not an integer");
        return number >= min && number <= max ? number : throw fields.Error(name, $"{number} is out of range [{min}, {max}]");
    }
}
