namespace SparseDictionary.Formats;

/// <summary>
/// The exception thrown when a file is not a well-formed safetensors file. The message names the file and,
/// where the fault lies in one tensor's entry, that tensor.
/// </summary>
public sealed class SafeTensorsFormatException : FileFormatException
{
    // Names come from untrusted headers and may be megabytes long; messages keep only their start.
    private const int MaxQuotedNameLength = 200;

    internal SafeTensorsFormatException(string filePath, string? tensorName, string detail, Exception? innerException = null)
        : base(filePath, Describe(filePath, tensorName, detail), innerException)
    {
        TensorName = tensorName;
    }

    /// <summary>Gets the name of the tensor whose entry is malformed, or <see langword="null"/> when the fault is not in one tensor.</summary>
    public string? TensorName { get; }

    internal static string Quote(string name) =>
        name.Length <= MaxQuotedNameLength ? $"'{name}'" : $"'{name[..MaxQuotedNameLength]}…' ({name.Length} characters)";

    private static string Describe(string filePath, string? tensorName, string detail) =>
        tensorName is null
            ? $"Invalid safetensors file '{filePath}': {detail}"
            : $"Invalid safetensors file '{filePath}': tensor {Quote(tensorName)}: {detail}";
}
