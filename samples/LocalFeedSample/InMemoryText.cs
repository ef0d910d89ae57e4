using SparseDictionary.Llama.Corpus;

/// <summary>A corpus held in memory: one document per string.</summary>
internal sealed class InMemoryText(IReadOnlyList<string> documents) : ITextSource
{
    public IEnumerable<TextDocument> ReadDocuments() =>
        documents.Select((text, i) => new TextDocument($"doc{i}", text, "memory", i + 1));
}
