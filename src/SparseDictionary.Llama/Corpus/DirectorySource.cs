namespace SparseDictionary.Llama.Corpus;

/// <summary>
/// The text files of a folder, in ordinal order of their relative paths (so the order is the same on every machine), each
/// read as a <see cref="PlainTextSource"/>. With <see cref="DocumentSplit.WholeFile"/> a document's id is its relative path.
/// </summary>
public sealed class DirectorySource : ITextSource
{
    /// <summary>Creates a source over a folder.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="searchPattern">The file-name pattern, such as <c>*.txt</c>.</param>
    /// <param name="recursive">Whether to include sub-folders.</param>
    /// <param name="split">How each file is cut into documents.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public DirectorySource(string directory, string searchPattern = "*.txt", bool recursive = false, DocumentSplit split = DocumentSplit.WholeFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentException.ThrowIfNullOrEmpty(searchPattern);
        if (!Enum.IsDefined(split)) throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split.");
        Directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(Directory)) throw new DirectoryNotFoundException($"Corpus folder '{Directory}' not found.");
        SearchPattern = searchPattern;
        Recursive = recursive;
        Split = split;
    }

    /// <summary>Gets the full path of the folder.</summary>
    public string Directory { get; }

    /// <summary>Gets the file-name pattern.</summary>
    public string SearchPattern { get; }

    /// <summary>Gets whether sub-folders are included.</summary>
    public bool Recursive { get; }

    /// <summary>Gets how each file is cut into documents.</summary>
    public DocumentSplit Split { get; }

    /// <summary>Lists the files read, in reading order (ordinal order of their paths relative to <see cref="Directory"/>).</summary>
    /// <returns>The full paths.</returns>
    public IReadOnlyList<string> Files() =>
        System.IO.Directory.GetFiles(Directory, SearchPattern, Recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Select(f => (Full: f, Relative: Path.GetRelativePath(Directory, f).Replace('\\', '/')))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .Select(f => f.Full)
            .ToArray();

    /// <inheritdoc />
    public IEnumerable<TextDocument> ReadDocuments()
    {
        foreach (string file in Files())
        {
            string relative = Path.GetRelativePath(Directory, file).Replace('\\', '/');
            foreach (TextDocument document in new PlainTextSource(file, Split, relative).ReadDocuments())
            {
                yield return document;
            }
        }
    }
}
