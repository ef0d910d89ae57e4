using SparseDictionary.Formats;

namespace SparseDictionary.Training;

/// <summary>A checkpoint folder is missing, incomplete, corrupted or of another format version; the message names the file and field.</summary>
public sealed class TrainingCheckpointException : FileFormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The checkpoint folder or file.</param>
    /// <param name="field">The JSON field or tensor at fault, if any.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public TrainingCheckpointException(string path, string? field, string reason, Exception? inner = null)
        : base(path, field is null ? $"{path}: {reason}." : $"{path}: {field}: {reason}.", inner)
    {
        Path = path;
        Field = field;
    }

    /// <summary>Gets the checkpoint folder or file.</summary>
    public string Path { get; }

    /// <summary>Gets the JSON field or tensor at fault, if any.</summary>
    public string? Field { get; }
}
