namespace SparseDictionary.Llama.Corpus;

/// <summary>How <see cref="ContextWindows"/> cuts tokenised documents into model inputs. <see cref="Validate"/> names the first bad field.</summary>
public sealed record ContextWindowOptions
{
    /// <summary>Gets the tokens per window, BOS included. Default 128.</summary>
    public int ContextLength { get; init; } = 128;

    /// <summary>Gets whether every window starts with BOS. Default true.</summary>
    public bool PrependBos { get; init; } = true;

    /// <summary>
    /// Gets whether documents are packed back to back, each followed by <see cref="Separator"/>, and the stream cut into
    /// full windows (true, the default); or each document starts its own window(s), the last padded (false).
    /// </summary>
    public bool ConcatenateDocuments { get; init; } = true;

    /// <summary>Gets the token put after each document when concatenating: BOS (the default) or EOS.</summary>
    public DocumentSeparator Separator { get; init; } = DocumentSeparator.Bos;

    /// <summary>Gets what is done with a document longer than a window when not concatenating. Default <see cref="LongDocumentPolicy.Split"/>.</summary>
    public LongDocumentPolicy LongDocuments { get; init; } = LongDocumentPolicy.Split;

    /// <summary>Gets whether a window that would need padding is dropped instead. Default false.</summary>
    public bool DropLastPartial { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (ContextLength < (PrependBos ? 2 : 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ContextLength), ContextLength,
                "ContextLength must leave room for at least one token after BOS.");
        }
        if (!Enum.IsDefined(Separator)) throw new ArgumentOutOfRangeException(nameof(Separator), Separator, "Unknown separator.");
        if (!Enum.IsDefined(LongDocuments)) throw new ArgumentOutOfRangeException(nameof(LongDocuments), LongDocuments, "Unknown policy.");
    }
}
