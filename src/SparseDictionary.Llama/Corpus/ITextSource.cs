namespace SparseDictionary.Llama.Corpus;

/// <summary>A corpus read as a stream of documents, in a reproducible order.</summary>
public interface ITextSource
{
    /// <summary>
    /// Reads the documents lazily, from the start: each enumeration opens the files anew and holds at most one document
    /// (or one line) in memory at a time.
    /// </summary>
    /// <returns>The documents, in the source's fixed order.</returns>
    /// <exception cref="CorpusFormatException">A file is malformed (thrown while enumerating).</exception>
    IEnumerable<TextDocument> ReadDocuments();
}
