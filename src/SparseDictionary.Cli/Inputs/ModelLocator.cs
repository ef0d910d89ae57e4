using System.Globalization;
using SparseDictionary.Llama;

namespace SparseDictionary.Cli.Inputs;

/// <summary>
/// Finds what <c>--model</c> and <c>--tokenizer</c> name: a Hugging Face folder (<c>config.json</c> and safetensors) or a
/// llama2.c checkpoint file, and the llama2.c <c>tokenizer.bin</c> that goes with it.
/// </summary>
internal static class ModelLocator
{
    /// <summary>Locates the model and its tokenizer and reads the model's configuration.</summary>
    /// <param name="model">The <c>--model</c> value.</param>
    /// <param name="tokenizer">The <c>--tokenizer</c> value, or <see langword="null"/> to look beside the model.</param>
    /// <param name="device">Where the model will run.</param>
    /// <param name="dtype">The element type it will run in.</param>
    /// <exception cref="CliException">Something named does not exist, or no tokenizer can be found.</exception>
    /// <exception cref="ModelFormatException">The configuration or header is malformed.</exception>
    public static ModelSource Locate(string model, string? tokenizer, DeviceSpec device, TorchSharp.torch.ScalarType dtype)
    {
        string path = Path.GetFullPath(model);
        bool isFolder = Directory.Exists(path);
        if (!isFolder && !File.Exists(path)) throw CliException.NotFound("--model", model, "model");

        LlamaConfig config;
        if (isFolder)
        {
            if (!File.Exists(Path.Combine(path, HuggingFaceCheckpoint.ConfigFileName)))
            {
                throw new CliException(ExitCodes.InvalidInput,
                    $"--model: the folder '{model}' has no {HuggingFaceCheckpoint.ConfigFileName}, so it is not a Hugging Face model; for a llama2.c checkpoint give the .bin file.");
            }
            config = HuggingFaceCheckpoint.ReadConfig(path);
        }
        else
        {
            config = Llama2cCheckpoint.ReadConfig(path);
        }
        return new ModelSource(path, isFolder, FindTokenizer(model, path, isFolder, tokenizer, config), config, device, dtype);
    }

    private static string FindTokenizer(string model, string path, bool isFolder, string? tokenizer, LlamaConfig config)
    {
        if (tokenizer is not null)
        {
            return File.Exists(tokenizer) ? Path.GetFullPath(tokenizer) : throw CliException.NotFound("--tokenizer", tokenizer, "tokenizer file");
        }
        string folder = isFolder ? path : Path.GetDirectoryName(path)!;
        // As ModelTokenizer.Load: SentencePiece's tokenizer.model first (Llama-2's Hugging Face folders), then llama2.c's
        // tokenizer.bin; llama2.c names a tokenizer of another vocabulary by its size (tok512.bin).
        string[] candidates =
        [
            Path.Combine(folder, HuggingFaceCheckpoint.SentencePieceFileName),
            Path.Combine(folder, HuggingFaceCheckpoint.TokenizerFileName),
            Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"tok{config.VocabSize}.bin")),
        ];
        foreach (string candidate in candidates)
        {
            if (File.Exists(candidate)) return candidate;
        }
        throw new CliException(ExitCodes.NotFound,
            $"--tokenizer: no tokenizer beside the model (looked for {string.Join(", ", candidates.Select(Path.GetFileName))} in '{folder}'); pass --tokenizer.");
    }
}
