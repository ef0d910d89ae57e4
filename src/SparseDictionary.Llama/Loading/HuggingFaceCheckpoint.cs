using SparseDictionary.Formats;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// Loads a Hugging Face <c>LlamaForCausalLM</c> folder: <c>config.json</c> and either <c>model.safetensors</c> or shards
/// listed by <c>model.safetensors.index.json</c>.
/// </summary>
/// <remarks>
/// Every shard's header is checked before the model is allocated: each expected tensor present once, with its shape and
/// a floating-point type, and no unexpected tensor (old checkpoints' <c>rotary_emb.inv_freq</c> is ignored, and so is
/// <c>lm_head.weight</c> when the embeddings are tied, as transformers does). The weights are then copied one tensor at
/// a time, one shard open at a time, so that loading needs the model's memory plus one tensor.
/// </remarks>
public static partial class HuggingFaceCheckpoint
{
    /// <summary>The configuration file's name.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The name of an unsharded checkpoint's weights file.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The name of a sharded checkpoint's index.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    /// <summary>Reads the folder's <c>config.json</c>.</summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <exception cref="ModelFormatException">The file is missing or malformed, or describes a model this library cannot run.</exception>
    public static LlamaConfig ReadConfig(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string path = Path.Combine(Path.GetFullPath(folder), ConfigFileName);
        return File.Exists(path)
            ? HuggingFaceConfigReader.Read(path)
            : throw ModelFormatException.ForFile(path, "the file does not exist.");
    }

    /// <summary>Loads the checkpoint in <paramref name="folder"/> into a new model.</summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="dtype">The element type of the model's weights; stored weights are converted to it.</param>
    /// <param name="device">The device of the model's weights; the CPU when <see langword="null"/>.</param>
    /// <returns>The loaded model; the caller owns it.</returns>
    /// <exception cref="ModelFormatException">
    /// A file is missing or malformed, or a tensor is missing, unexpected, duplicated, misshapen or not floating-point.
    /// </exception>
    public static LlamaModel Load(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        LlamaConfig config = ReadConfig(folder);
        string root = Path.GetFullPath(folder);
        IReadOnlyDictionary<string, string> plan = HuggingFacePlan.Make(root, config);

        var model = new LlamaModel(config, dtype, device);
        try
        {
            var parameters = model.ParametersByName();
            foreach (IGrouping<string, KeyValuePair<string, string>> shard in plan.GroupBy(p => p.Value, StringComparer.Ordinal))
            {
                using SafeTensorsFile file = HuggingFacePlan.Open(shard.Key);
                foreach ((string name, _) in shard)
                {
                    using Tensor stored = Read(file, name, dtype);
                    LlamaWeightLayout.CopyInto(parameters[name], stored);
                }
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static Tensor Read(SafeTensorsFile file, string name, ScalarType dtype)
    {
        try
        {
            return file.Load(name, dtype: dtype);
        }
        catch (SafeTensorsFormatException e)
        {
            throw ModelFormatException.ForTensor(file.Path, name, e.Message, e);
        }
    }
}
