namespace SparseDictionary.Formats;

/// <summary>
/// The base of every exception this library throws for a file it cannot read as what it should be: a corrupt or
/// hostile safetensors file, SAE folder, model checkpoint, corpus, activation cache or training checkpoint. The message
/// names the file and, where the fault lies in one key, field, tensor or line, that too; <see cref="FilePath"/> is the file.
/// Catch this type to handle any bad input file in one place (the CLI maps it to one exit code).
/// </summary>
public abstract class FileFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The offending file (or folder, when the folder itself is missing or malformed).</param>
    /// <param name="message">The whole message, naming the file.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    protected FileFormatException(string filePath, string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = filePath;
    }

    /// <summary>Gets the path of the offending file (or of the folder, when the folder itself is at fault).</summary>
    public string FilePath { get; }
}
