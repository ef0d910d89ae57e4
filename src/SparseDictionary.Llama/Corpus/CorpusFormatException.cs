using SparseDictionary.Formats;

namespace SparseDictionary.Llama.Corpus;

/// <summary>
/// The exception thrown when a corpus file is malformed: a line that is not a JSON object, lacks the text field, or is
/// too long. The message names the file and the 1-based line.
/// </summary>
public sealed class CorpusFormatException : FileFormatException
{
    internal CorpusFormatException(string filePath, long line, string detail, Exception? innerException = null)
        : base(filePath, $"Invalid corpus file '{filePath}', line {line}: {detail}", innerException)
    {
        Line = line;
    }

    /// <summary>Gets the 1-based number of the offending line.</summary>
    public long Line { get; }
}
