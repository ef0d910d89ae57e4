using SparseDictionary.Formats;

namespace SparseDictionary.Llama;

/// <summary>Checks a Hugging Face folder's safetensors headers against the expected tensors and says where each one is.</summary>
internal static class HuggingFacePlan
{
    private static readonly HashSet<string> FloatingTypes = new(StringComparer.Ordinal) { "F32", "F16", "BF16", "F64" };

    /// <summary>Returns the full path of the file holding each expected tensor, reading only headers.</summary>
    /// <exception cref="ModelFormatException">A file is missing or malformed, or the tensors do not match the configuration.</exception>
    public static IReadOnlyDictionary<string, string> Make(string folder, LlamaConfig config)
    {
        string single = Path.Combine(folder, HuggingFaceCheckpoint.WeightsFileName);
        string index = Path.Combine(folder, HuggingFaceCheckpoint.IndexFileName);
        IReadOnlyDictionary<string, string>? listed = null;
        string[] files;
        if (File.Exists(single))
        {
            files = [single];
        }
        else if (File.Exists(index))
        {
            listed = HuggingFaceShardIndex.Read(index, folder);
            files = listed.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        }
        else
        {
            throw ModelFormatException.ForFile(folder,
                $"the folder holds neither {HuggingFaceCheckpoint.WeightsFileName} nor {HuggingFaceCheckpoint.IndexFileName}.");
        }

        IReadOnlyDictionary<string, long[]> expected = LlamaWeightLayout.Expected(config);
        var located = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in files)
        {
            using SafeTensorsFile file = Open(path);
            foreach (SafeTensorInfo info in file.Tensors)
            {
                if (IsIgnored(info.Name, config))
                {
                    continue;
                }
                if (!expected.TryGetValue(info.Name, out long[]? shape))
                {
                    throw ModelFormatException.ForTensor(path, info.Name,
                        $"unexpected tensor: a Llama model with this configuration ({HuggingFaceCheckpoint.ConfigFileName}) has no such weight.");
                }
                if (listed is not null && (!listed.TryGetValue(info.Name, out string? listedFile) || listedFile != path))
                {
                    throw ModelFormatException.ForTensor(path, info.Name,
                        $"the shard holds the tensor but {HuggingFaceCheckpoint.IndexFileName} does not list it in this shard.");
                }
                if (!located.TryAdd(info.Name, path))
                {
                    throw ModelFormatException.ForTensor(path, info.Name, $"the tensor is also in '{located[info.Name]}'.");
                }
                if (!info.Shape.SequenceEqual(shape))
                {
                    throw ModelFormatException.ForTensor(path, info.Name,
                        $"expected shape {LlamaWeightLayout.FormatShape(shape)}, found {LlamaWeightLayout.FormatShape(info.Shape)}.");
                }
                if (!FloatingTypes.Contains(info.DType))
                {
                    throw ModelFormatException.ForTensor(path, info.Name, $"expected a floating-point tensor, found dtype {info.DType}.");
                }
            }
        }

        foreach (string name in expected.Keys)
        {
            if (!located.ContainsKey(name))
            {
                // The file that should have held it: the shard the index names, else the one weights file or the index.
                string where = listed is not null && listed.TryGetValue(name, out string? shard) ? shard : listed is null ? single : index;
                throw ModelFormatException.ForTensor(where, name, "the tensor is missing.");
            }
        }
        if (listed is not null)
        {
            foreach ((string name, string shard) in listed)
            {
                if (!located.ContainsKey(name) && !IsIgnored(name, config))
                {
                    throw ModelFormatException.ForTensor(shard, name, $"{HuggingFaceCheckpoint.IndexFileName} lists the tensor in this shard, which does not hold it.");
                }
            }
        }
        return located;
    }

    /// <summary>Opens a safetensors file, reporting a malformed one as a <see cref="ModelFormatException"/>.</summary>
    public static SafeTensorsFile Open(string path)
    {
        if (!File.Exists(path))
        {
            throw ModelFormatException.ForFile(path, "the file does not exist.");
        }
        try
        {
            return SafeTensors.Open(path);
        }
        catch (SafeTensorsFormatException e)
        {
            throw ModelFormatException.ForFile(path, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ModelFormatException.ForFile(path, $"the file cannot be read: {e.Message}", e);
        }
    }

    private static bool IsIgnored(string name, LlamaConfig config) =>
        name.EndsWith(LlamaWeightLayout.RotaryFrequenciesSuffix, StringComparison.Ordinal)
        || (config.TieWordEmbeddings && name == LlamaWeightLayout.OutputHead);
}
