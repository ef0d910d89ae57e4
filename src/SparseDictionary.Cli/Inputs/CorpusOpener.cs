using SparseDictionary.Llama.Corpus;

namespace SparseDictionary.Cli.Inputs;

/// <summary>Opens what <c>--corpus</c> names as an <see cref="ITextSource"/>, by <c>--format</c>.</summary>
internal static class CorpusOpener
{
    /// <summary>The <c>--format</c> values.</summary>
    public static readonly string[] Formats = ["auto", "text", "lines", "wikitext", "jsonl"];

    private static readonly string[] JsonlExtensions = [".jsonl", ".json", ".ndjson"];

    /// <summary>Opens the corpus.</summary>
    /// <param name="corpus">A file or folder.</param>
    /// <param name="format">One of <see cref="Formats"/>.</param>
    /// <param name="textField">The JSON property holding the text.</param>
    /// <param name="textFieldGiven">Whether the user gave <c>--text-field</c> (an error for a corpus that is not JSONL).</param>
    /// <exception cref="CliException">The corpus does not exist, holds no readable files, or the options do not fit it.</exception>
    public static ITextSource Open(string corpus, string format, string textField, bool textFieldGiven)
    {
        string path = Path.GetFullPath(corpus);
        bool isFolder = Directory.Exists(path);
        if (!isFolder && !File.Exists(path)) throw CliException.NotFound("--corpus", corpus, "corpus");
        if (string.IsNullOrWhiteSpace(textField)) throw CliException.Usage("--text-field must name a JSON property.");

        string[] jsonlFiles = isFolder ? JsonlFilesIn(path) : [];
        if (format == "auto")
        {
            format = isFolder
                ? jsonlFiles.Length > 0 ? "jsonl" : "text"
                : IsJsonl(path) ? "jsonl" : "text";
        }
        if (format != "jsonl" && textFieldGiven)
        {
            throw CliException.Usage($"--text-field applies to JSONL corpora only; '{corpus}' is read as {format} (see --format).");
        }
        if (format == "jsonl")
        {
            if (!isFolder) return new JsonlSource(path, textField);
            if (jsonlFiles.Length == 0) throw new CliException(ExitCodes.InvalidInput, $"--corpus: the folder '{corpus}' holds no .jsonl files.");
            return new ConcatenatedSource([.. jsonlFiles.Select(f => new JsonlSource(f, textField))]);
        }

        DocumentSplit split = format switch
        {
            "lines" => DocumentSplit.Lines,
            "wikitext" => DocumentSplit.WikiTextArticles,
            _ => DocumentSplit.WholeFile,
        };
        if (!isFolder) return new PlainTextSource(path, split);
        var folder = new DirectorySource(path, "*.txt", recursive: true, split);
        return folder.Files().Count > 0
            ? folder
            : throw new CliException(ExitCodes.InvalidInput, $"--corpus: the folder '{corpus}' holds no .txt or .jsonl files.");
    }

    private static bool IsJsonl(string file) =>
        JsonlExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase);

    // The same ordinal order on every machine, so a resumed collection reads the same documents.
    private static string[] JsonlFilesIn(string folder) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(IsJsonl).Order(StringComparer.Ordinal)];
}
