using SparseDictionary.Llama.Corpus;

namespace SparseDictionary.Cli.Inputs;

/// <summary>Several text sources read one after the other, such as the files of the FEVER wiki-pages folder.</summary>
/// <param name="sources">The sources, in reading order.</param>
internal sealed class ConcatenatedSource(IReadOnlyList<ITextSource> sources) : ITextSource
{
    /// <inheritdoc />
    public IEnumerable<TextDocument> ReadDocuments() => sources.SelectMany(s => s.ReadDocuments());
}
