using SparseDictionary.Llama;
using static TorchSharp.torch;

namespace SparseDictionary.Cli.Inputs;

/// <summary>
/// A model named on the command line, located and its configuration read, but no weights loaded yet: enough to check
/// layers and widths before spending time on the weights.
/// </summary>
/// <param name="Path">The Hugging Face folder or the llama2.c checkpoint file (full path).</param>
/// <param name="IsHuggingFace">Whether <paramref name="Path"/> is a Hugging Face folder.</param>
/// <param name="TokenizerPath">The tokenizer: a SentencePiece <c>tokenizer.model</c> (by its extension) or a llama2.c <c>tokenizer.bin</c>.</param>
/// <param name="Config">The model's configuration.</param>
/// <param name="Device">Where to run it.</param>
/// <param name="DType">The element type to run it in.</param>
internal sealed record ModelSource(string Path, bool IsHuggingFace, string TokenizerPath, LlamaConfig Config, DeviceSpec Device, ScalarType DType)
{
    /// <summary>A short name for the model: its folder or file name.</summary>
    public string Name => System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(Path));

    /// <summary>Loads the weights and the tokenizer.</summary>
    public LoadedModel Load()
    {
        Device device = Device.ToDevice();
        LlamaModel model = IsHuggingFace
            ? HuggingFaceCheckpoint.Load(Path, DType, device)
            : Llama2cCheckpoint.Load(Path, DType, device);
        try
        {
            return new LoadedModel(model, LoadTokenizer());
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private ITokenizer LoadTokenizer()
    {
        if (!string.Equals(System.IO.Path.GetExtension(TokenizerPath), ".model", StringComparison.OrdinalIgnoreCase))
        {
            return Llama2cTokenizer.Load(TokenizerPath, Config.VocabSize);
        }
        SentencePieceTokenizer tokenizer = SentencePieceTokenizer.Load(TokenizerPath);
        return tokenizer.VocabSize <= Config.VocabSize
            ? tokenizer
            : throw CliException.Incompatible($"--tokenizer: '{TokenizerPath}' has {tokenizer.VocabSize} tokens, more than the model's {Config.VocabSize}.");
    }

    /// <summary>Throws unless <paramref name="layer"/> is one of the model's layers.</summary>
    /// <param name="option">The option that named the layer, for the message.</param>
    /// <param name="layer">The zero-based layer.</param>
    public void CheckLayer(string option, int layer)
    {
        if (layer >= Config.LayerCount)
        {
            throw CliException.Incompatible(
                $"{option}: layer {layer} is out of range; the model '{Name}' has {Config.LayerCount} layers (0 to {Config.LayerCount - 1}).");
        }
    }

    /// <summary>Throws unless a context of <paramref name="contextLength"/> tokens fits the model.</summary>
    public void CheckContext(int contextLength)
    {
        if (contextLength > Config.MaxSeqLen)
        {
            throw CliException.Incompatible($"--context: {contextLength} tokens is longer than the model '{Name}' accepts ({Config.MaxSeqLen}).");
        }
    }
}

/// <summary>A loaded model and its tokenizer; disposing frees the weights.</summary>
/// <param name="Model">The model.</param>
/// <param name="Tokenizer">Its tokenizer.</param>
internal sealed record LoadedModel(LlamaModel Model, ITokenizer Tokenizer) : IDisposable
{
    /// <inheritdoc />
    public void Dispose() => Model.Dispose();
}
