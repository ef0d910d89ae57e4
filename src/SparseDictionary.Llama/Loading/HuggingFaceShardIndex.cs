using SparseDictionary.Formats;
using System.Text.Json;

namespace SparseDictionary.Llama;

/// <summary>Reads <c>model.safetensors.index.json</c>: its <c>weight_map</c> from tensor name to shard file.</summary>
internal static class HuggingFaceShardIndex
{
    /// <summary>Returns each tensor's shard as a full path inside <paramref name="folder"/>.</summary>
    /// <exception cref="ModelFormatException">The index is malformed or names a shard outside the folder.</exception>
    public static IReadOnlyDictionary<string, string> Read(string indexPath, string folder)
    {
        using JsonDocument document = JsonFile.ReadObject(indexPath);
        var fields = new JsonObjectReader(document.RootElement, indexPath, ModelFormatException.ForJson);
        // Read as an element, not a JsonObjectReader: a tensor listed twice has its own message.
        JsonElement map = fields.Require("weight_map", JsonValueKind.Object, "an object");

        var shards = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            string field = $"weight_map.{entry.Name}";
            if (entry.Value.ValueKind != JsonValueKind.String)
            {
                throw ModelFormatException.ForField(indexPath, field, $"expected a shard file name, found {StrictJson.Describe(entry.Value)}.");
            }
            string file = entry.Value.GetString()!;
            // A name with a directory part could read any file on the machine; shards sit beside the index.
            if (file.Length == 0 || file is "." or ".." || Path.GetFileName(file) != file || file.IndexOfAny(['/', '\\', '\0']) >= 0)
            {
                throw ModelFormatException.ForField(indexPath, field, $"'{file}' is not the name of a file in the model's folder.");
            }
            if (!shards.TryAdd(entry.Name, Path.Combine(folder, file)))
            {
                throw ModelFormatException.ForField(indexPath, field, "the tensor is listed more than once.");
            }
        }
        if (shards.Count == 0)
        {
            throw fields.Error("weight_map", "the map lists no tensors.");
        }
        return shards;
    }
}
