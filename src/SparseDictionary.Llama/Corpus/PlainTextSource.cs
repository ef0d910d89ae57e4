using System.Text;

namespace SparseDictionary.Llama.Corpus;

/// <summary>A UTF-8 text file read as one document, one document per line, or WikiText-style articles.</summary>
public sealed class PlainTextSource : ITextSource
{
    private readonly string _name;

    /// <summary>Creates a source over one file.</summary>
    /// <param name="path">The text file (UTF-8).</param>
    /// <param name="split">How the file is cut into documents.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public PlainTextSource(string path, DocumentSplit split = DocumentSplit.WholeFile)
        : this(path, split, System.IO.Path.GetFileName(path))
    {
    }

    internal PlainTextSource(string path, DocumentSplit split, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(split)) throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split.");
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path)) throw new FileNotFoundException($"Corpus file '{Path}' not found.", Path);
        Split = split;
        _name = name;
    }

    /// <summary>Gets the full path of the file.</summary>
    public string Path { get; }

    /// <summary>Gets how the file is cut into documents.</summary>
    public DocumentSplit Split { get; }

    /// <inheritdoc />
    public IEnumerable<TextDocument> ReadDocuments() => Split switch
    {
        DocumentSplit.WholeFile => WholeFile(),
        DocumentSplit.Lines => Lines(),
        _ => Articles(),
    };

    private IEnumerable<TextDocument> WholeFile()
    {
        yield return new TextDocument(_name, File.ReadAllText(Path, Encoding.UTF8), Path, 1);
    }

    private IEnumerable<TextDocument> Lines()
    {
        long number = 0;
        foreach (string line in File.ReadLines(Path, Encoding.UTF8))
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return new TextDocument($"{_name}:{number}", line, Path, number);
            }
        }
    }

    private IEnumerable<TextDocument> Articles()
    {
        string id = _name;
        long start = 1;
        var body = new List<string>();
        long number = 0;
        foreach (string line in File.ReadLines(Path, Encoding.UTF8))
        {
            number++;
            string? title = WikiTextHeadings.TopLevelTitle(line);
            if (title is null)
            {
                body.Add(line);
                continue;
            }
            TextDocument? previous = Article(id, body, start);
            if (previous is not null) yield return previous;
            id = title;
            start = number;
            body.Clear();
        }
        TextDocument? last = Article(id, body, start);
        if (last is not null) yield return last;
    }

    private TextDocument? Article(string id, List<string> body, long line)
    {
        int first = body.FindIndex(l => !string.IsNullOrWhiteSpace(l));
        if (first < 0) return null;
        int last = body.FindLastIndex(l => !string.IsNullOrWhiteSpace(l));
        return new TextDocument(id, string.Join('\n', body.Skip(first).Take(last - first + 1)), Path, line);
    }
}
