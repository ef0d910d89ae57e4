namespace SparseDictionary.Llama.Corpus;

/// <summary>What <see cref="ContextWindows"/> does with a document longer than one window, when documents are not concatenated.</summary>
public enum LongDocumentPolicy
{
    /// <summary>Keep only the document's first window.</summary>
    Truncate,

    /// <summary>Continue the document in further windows (each starting with BOS when <see cref="ContextWindowOptions.PrependBos"/>).</summary>
    Split,
}
