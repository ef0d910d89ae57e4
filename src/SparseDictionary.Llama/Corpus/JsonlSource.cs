using System.Globalization;
using System.Text.Json;

namespace SparseDictionary.Llama.Corpus;

/// <summary>
/// A JSON Lines file: one JSON object per line, whose text field is a document. The FEVER wiki-pages dump
/// (<c>{"id": …, "text": …, "lines": …}</c>) works with the defaults. Blank lines and documents with empty text are
/// skipped silently; malformed lines are thrown on or counted in <see cref="SkippedLines"/>, by <see cref="OnBadLine"/>.
/// </summary>
public sealed class JsonlSource : ITextSource
{
    /// <summary>The default bound on a line's length in bytes: 16 MiB.</summary>
    public const int DefaultMaxLineBytes = 16 << 20;

    /// <summary>The default bound on a line's JSON nesting depth.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>Creates a source over one JSONL file.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="textField">The property holding the document text; must be a string.</param>
    /// <param name="idField">
    /// The property holding the document id (a string or number); when absent, the id is <c>file:line</c>.
    /// </param>
    /// <param name="onBadLine">What to do with a malformed line.</param>
    /// <param name="maxLineBytes">Longest line accepted, in bytes; a longer one is a bad line, skipped without buffering it.</param>
    /// <param name="maxDepth">Deepest JSON nesting accepted; a deeper line is a bad line.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public JsonlSource(string path, string textField = "text", string idField = "id", BadLinePolicy onBadLine = BadLinePolicy.Throw,
        int maxLineBytes = DefaultMaxLineBytes, int maxDepth = DefaultMaxDepth)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(textField);
        ArgumentException.ThrowIfNullOrEmpty(idField);
        if (!Enum.IsDefined(onBadLine)) throw new ArgumentOutOfRangeException(nameof(onBadLine), onBadLine, "Unknown policy.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDepth);
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path)) throw new FileNotFoundException($"Corpus file '{Path}' not found.", Path);
        TextField = textField;
        IdField = idField;
        OnBadLine = onBadLine;
        MaxLineBytes = maxLineBytes;
        MaxDepth = maxDepth;
    }

    /// <summary>Gets the full path of the file.</summary>
    public string Path { get; }

    /// <summary>Gets the property holding the document text.</summary>
    public string TextField { get; }

    /// <summary>Gets the property holding the document id.</summary>
    public string IdField { get; }

    /// <summary>Gets what is done with a malformed line.</summary>
    public BadLinePolicy OnBadLine { get; }

    /// <summary>Gets the longest line accepted, in bytes.</summary>
    public int MaxLineBytes { get; }

    /// <summary>Gets the deepest JSON nesting accepted.</summary>
    public int MaxDepth { get; }

    /// <summary>Gets the number of malformed lines skipped by the latest enumeration (with <see cref="BadLinePolicy.Skip"/>).</summary>
    public long SkippedLines { get; private set; }

    /// <inheritdoc />
    public IEnumerable<TextDocument> ReadDocuments()
    {
        SkippedLines = 0;
        using var reader = new BoundedLineReader(File.OpenRead(Path), MaxLineBytes);
        long number = 0;
        while (true)
        {
            TextDocument? document;
            string? error;
            Exception? inner;
            bool more;
            // Spans cannot live across a yield, so each line is parsed in a helper.
            (more, document, error, inner) = ParseNext(reader, ++number);
            if (!more) yield break;
            if (error is not null)
            {
                if (OnBadLine == BadLinePolicy.Throw) throw new CorpusFormatException(Path, number, error, inner);
                SkippedLines++;
                continue;
            }
            if (document is not null) yield return document;
        }
    }

    private (bool More, TextDocument? Document, string? Error, Exception? Inner) ParseNext(BoundedLineReader reader, long number)
    {
        if (!reader.ReadLine(out ReadOnlySpan<byte> bytes, out bool tooLong)) return (false, null, null, null);
        if (tooLong) return (true, null, $"the line is longer than {MaxLineBytes} bytes", null);
        if (IsBlank(bytes)) return (true, null, null, null);
        try
        {
            using JsonDocument json = JsonDocument.Parse(bytes.ToArray(), new JsonDocumentOptions { MaxDepth = MaxDepth });
            JsonElement root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (true, null, $"expected a JSON object, got {root.ValueKind}", null);
            if (!root.TryGetProperty(TextField, out JsonElement text)) return (true, null, $"the object has no '{TextField}' field", null);
            if (text.ValueKind != JsonValueKind.String) return (true, null, $"field '{TextField}' is {text.ValueKind}, not a string", null);
            string value = text.GetString()!;
            if (value.Length == 0) return (true, null, null, null);
            string id = root.TryGetProperty(IdField, out JsonElement idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? (idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : idElement.GetRawText())
                : string.Create(CultureInfo.InvariantCulture, $"{System.IO.Path.GetFileName(Path)}:{number}");
            return (true, new TextDocument(id, value, Path, number), null, null);
        }
        catch (JsonException e)
        {
            return (true, null, $"not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // A string with invalid UTF-8 parses, but cannot be read as text.
            return (true, null, $"not valid UTF-8: {e.Message}", e);
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        }
        return true;
    }
}
