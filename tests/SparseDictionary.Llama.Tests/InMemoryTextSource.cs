using SparseDictionary.Llama.Corpus;

namespace SparseDictionary.Llama.Tests;

internal sealed class InMemoryTextSource(params string[] texts) : ITextSource
{
    public IReadOnlyList<TextDocument> Documents { get; } = texts.Select((t, i) => new TextDocument($"doc{i}", t, "memory", i + 1)).ToArray();

    public IEnumerable<TextDocument> ReadDocuments() => Documents;
}
