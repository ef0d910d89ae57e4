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
            var fields = new Fields(document.RootElement, path, prefix: "");
            int version = fields.Int("format_version", min: 1);
            if (version != ActivationCacheManifest.CurrentFormatVersion)
            {
                throw new ActivationCacheException(path, "format_version",
                    $"version {version} is not supported; this library reads version {ActivationCacheManifest.CurrentFormatVersion}");
            }
            string dtypeName = fields.String("dtype");
            if (!ActivationCacheDTypes.TryParse(dtypeName, out torch.ScalarType dtype))
            {
                throw new ActivationCacheException(path, "dtype", $"'{dtypeName}' is not one of F32, F16, BF16");
            }
            string checksum = fields.String("checksum");
            if (checksum != ChecksumAlgorithm)
            {
                throw new ActivationCacheException(path, "checksum", $"'{checksum}' is not supported; expected '{ChecksumAlgorithm}'");
            }

            var manifest = new ActivationCacheManifest
            {
                FormatVersion = version,
                ModelName = fields.String("model_name"),
                HookName = fields.String("hook_name"),
                Layer = fields.OptionalString("layer"),
                DIn = fields.Int("d_in", min: 1),
                DType = dtype,
                ShardTokens = fields.Int("shard_tokens", min: 1),
                Complete = fields.Bool("complete"),
                Shards = ReadShards(fields.Array("shards"), path),
            };
            long total = fields.Long("total_tokens", min: 0);
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

    private static ActivationCacheShard[] ReadShards(JsonElement array, string path)
    {
        var shards = new ActivationCacheShard[array.GetArrayLength()];
        int i = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            var fields = new Fields(element, path, prefix: $"shards[{i}].");
            string file = fields.String("file");
            // The name is joined to the cache folder: anything but a plain file name could point outside it.
            if (file.Length == 0 || file != Path.GetFileName(file) || file is "." or ".." || file.IndexOfAny(['/', '\\']) >= 0)
            {
                throw new ActivationCacheException(path, $"shards[{i}].file", $"'{file}' is not a plain file name inside the cache folder");
            }
            string sha = fields.String("sha256");
            if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower))
            {
                throw new ActivationCacheException(path, $"shards[{i}].sha256", "expected 64 lowercase hexadecimal digits");
            }
            shards[i] = new ActivationCacheShard(file, fields.Long("tokens", min: 1), fields.Long("bytes", min: 1), sha);
            i++;
        }
        return shards;
    }

    /// <summary>Typed access to the fields of one JSON object, with errors that name the field's full path.</summary>
    private readonly struct Fields
    {
        private readonly JsonElement _element;
        private readonly string _path;
        private readonly string _prefix;

        public Fields(JsonElement element, string path, string prefix)
        {
            _path = path;
            _prefix = prefix;
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new ActivationCacheException(path, prefix.Length == 0 ? null : prefix.TrimEnd('.'), $"expected a JSON object, found {element.ValueKind}");
            }
            _element = element;
        }

        public string String(string name) => Get(name, JsonValueKind.String, "a string").GetString()!;

        public string? OptionalString(string name) =>
            _element.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null
                ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw Error(name, $"expected a string or null, found {value.ValueKind}")
                : null;

        public bool Bool(string name)
        {
            if (!_element.TryGetProperty(name, out JsonElement value))
            {
                throw Error(name, "the field is missing");
            }
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error(name, $"expected true or false, found {value.ValueKind}"),
            };
        }

        public JsonElement Array(string name) => Get(name, JsonValueKind.Array, "an array");

        public int Int(string name, int min) => (int)Long(name, min, int.MaxValue);

        public long Long(string name, long min, long max = long.MaxValue)
        {
            JsonElement value = Get(name, JsonValueKind.Number, "an integer");
            if (!value.TryGetInt64(out long number))
            {
                throw Error(name, $"{value.GetRawText()} is not an integer");
            }
            if (number < min || number > max)
            {
                throw Error(name, $"{number} is out of range [{min}, {max}]");
            }
            return number;
        }

        private JsonElement Get(string name, JsonValueKind kind, string what)
        {
            if (!_element.TryGetProperty(name, out JsonElement value))
            {
                throw Error(name, "the field is missing");
            }
            return value.ValueKind == kind ? value : throw Error(name, $"expected {what}, found {value.ValueKind}");
        }

        private ActivationCacheException Error(string name, string detail) => new(_path, _prefix + name, detail);
    }
}
