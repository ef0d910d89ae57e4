namespace SparseDictionary.Llama;

/// <summary>Loads the tokenizer that a model folder holds.</summary>
public static class ModelTokenizer
{
    /// <summary>
    /// Loads the tokenizer of the model in <paramref name="folder"/>: its SentencePiece <c>tokenizer.model</c> when there
    /// is one (as in Llama-2's Hugging Face folders), else its llama2.c <c>tokenizer.bin</c>.
    /// </summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="vocabSize">
    /// The model's vocabulary size: the number of tokens in <c>tokenizer.bin</c>, which the file does not record, and the
    /// most that <c>tokenizer.model</c> may hold. When <see langword="null"/>, <c>tokenizer.bin</c> is read with the
    /// <c>vocab_size</c> of the folder's <c>config.json</c>, and <c>tokenizer.model</c> is not checked.
    /// </param>
    /// <returns>A <see cref="SentencePieceTokenizer"/> or a <see cref="Llama2cTokenizer"/>.</returns>
    /// <exception cref="ModelFormatException">
    /// The folder holds neither file; the tokenizer is malformed or has more tokens than <paramref name="vocabSize"/>; or
    /// only <c>tokenizer.bin</c> is there and neither <paramref name="vocabSize"/> nor <c>config.json</c> gives its size.
    /// </exception>
    public static ITokenizer Load(string folder, int? vocabSize = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (vocabSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size, nameof(vocabSize));
        }
        string root = Path.GetFullPath(folder);
        string sentencePiece = Path.Combine(root, HuggingFaceCheckpoint.SentencePieceFileName);
        if (File.Exists(sentencePiece))
        {
            SentencePieceTokenizer tokenizer = SentencePieceTokenizer.Load(sentencePiece);
            if (tokenizer.VocabSize > vocabSize)
            {
                throw ModelFormatException.ForFile(sentencePiece, $"the tokenizer has {tokenizer.VocabSize} tokens, more than the model's {vocabSize}.");
            }
            return tokenizer;
        }
        string llama2c = Path.Combine(root, HuggingFaceCheckpoint.TokenizerFileName);
        if (File.Exists(llama2c))
        {
            if (vocabSize is null && !File.Exists(Path.Combine(root, HuggingFaceCheckpoint.ConfigFileName)))
            {
                throw ModelFormatException.ForFile(llama2c, $"the file does not record its vocabulary size, and no {HuggingFaceCheckpoint.ConfigFileName} beside it does; pass the model's.");
            }
            return Llama2cTokenizer.Load(llama2c, vocabSize ?? HuggingFaceCheckpoint.ReadConfig(root).VocabSize);
        }
        throw ModelFormatException.ForFile(root, $"the folder holds neither {HuggingFaceCheckpoint.SentencePieceFileName} nor {HuggingFaceCheckpoint.TokenizerFileName}.");
    }
}
