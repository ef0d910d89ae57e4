using System.Text.Json;
using SparseDictionary.Formats;

namespace SparseDictionary.Llama.Tests;

/// <summary>Writes Hugging Face checkpoint folders derived from the stories260K-hf fixture.</summary>
internal static class HuggingFaceFolders
{
    /// <summary>
    /// Copies the fixture into <paramref name="folder"/> as two shards and an index; <paramref name="edit"/> may change the
    /// tensors of each shard (by shard number, 1 or 2) before they are written, and <paramref name="editIndex"/> the weight map.
    /// </summary>
    public static void WriteSharded(
        string folder,
        Action<int, Dictionary<string, torch.Tensor>>? edit = null,
        Action<Dictionary<string, string>>? editIndex = null)
    {
        File.Copy(Path.Combine(Fixtures.Stories260KHf, "config.json"), Path.Combine(folder, "config.json"));
        Dictionary<string, torch.Tensor> all = SafeTensors.LoadAll(Path.Combine(Fixtures.Stories260KHf, "model.safetensors"));
        try
        {
            // Layers 0–2 and the embedding in the first shard; the rest in the second, as transformers splits by size.
            var shards = new[] { new Dictionary<string, torch.Tensor>(), new Dictionary<string, torch.Tensor>() };
            foreach ((string name, torch.Tensor tensor) in all)
            {
                bool first = name == "model.embed_tokens.weight" || name.StartsWith("model.layers.0.") || name.StartsWith("model.layers.1.") || name.StartsWith("model.layers.2.");
                shards[first ? 0 : 1][name] = tensor;
            }
            var weightMap = new Dictionary<string, string>();
            for (int s = 0; s < 2; s++)
            {
                string file = $"model-0000{s + 1}-of-00002.safetensors";
                foreach (string name in shards[s].Keys) weightMap[name] = file;
                edit?.Invoke(s + 1, shards[s]);
                SafeTensors.Save(Path.Combine(folder, file), shards[s]);
            }
            editIndex?.Invoke(weightMap);
            var index = new { metadata = new { total_size = 1045016 }, weight_map = weightMap };
            File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"), JsonSerializer.Serialize(index));
        }
        finally
        {
            foreach (torch.Tensor tensor in all.Values) tensor.Dispose();
        }
    }

    /// <summary>Copies the fixture's config and weights into <paramref name="folder"/>, with <paramref name="edit"/> applied to the weights.</summary>
    public static void WriteSingle(string folder, Action<Dictionary<string, torch.Tensor>>? edit = null)
    {
        File.Copy(Path.Combine(Fixtures.Stories260KHf, "config.json"), Path.Combine(folder, "config.json"));
        Dictionary<string, torch.Tensor> all = SafeTensors.LoadAll(Path.Combine(Fixtures.Stories260KHf, "model.safetensors"));
        try
        {
            edit?.Invoke(all);
            SafeTensors.Save(Path.Combine(folder, "model.safetensors"), all);
        }
        finally
        {
            foreach (torch.Tensor tensor in all.Values) tensor.Dispose();
        }
    }

    /// <summary>Writes the fixture's config.json with <paramref name="edit"/> applied to its JSON object.</summary>
    public static string WriteConfig(string folder, Action<Dictionary<string, JsonElement>> edit)
    {
        var config = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(Fixtures.Stories260KHf, "config.json")))!;
        edit(config);
        string path = Path.Combine(folder, "config.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
