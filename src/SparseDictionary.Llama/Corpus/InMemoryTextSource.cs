namespace SparseDictionary.Llama.Corpus;

/// <summary>A text source over strings already in memory, one document each.</summary>
public sealed class InMemoryTextSource : ITextSource
{
    /// <summary>Creates the source.</summary>
    /// <param name="texts">The documents' texts.</param>
    /// <param name="name">Names the documents (<c>name:1</c>, <c>name:2</c>, ...) and stands for their file in errors.</param>
    public InMemoryTextSource(IEnumerable<string> texts, string name = "memory")
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentException.ThrowIfNullOrEmpty(name);
        Documents = texts.Select((t, i) => new TextDocument($"{name}:{i + 1}", t ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)), name, i + 1)).ToArray();
    }

    /// <summary>The documents, in order.</summary>
    public IReadOnlyList<TextDocument> Documents { get; }

    /// <inheritdoc />
    public IEnumerable<TextDocument> ReadDocuments() => Documents;
}
