namespace SparseDictionary.Llama.Corpus;

/// <summary>One document of a text corpus.</summary>
/// <param name="Id">The document's identifier: an article title, a JSONL id, or a file name with a line number.</param>
/// <param name="Text">The document's text.</param>
/// <param name="SourceFile">The file the document was read from.</param>
/// <param name="Line">The 1-based line of <paramref name="SourceFile"/> where the document starts.</param>
public sealed record TextDocument(string Id, string Text, string SourceFile, long Line);
