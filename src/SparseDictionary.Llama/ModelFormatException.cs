using SparseDictionary.Formats;

namespace SparseDictionary.Llama;

/// <summary>
/// The exception thrown when a model or tokenizer file cannot be loaded: a missing file, a missing or ill-typed
/// configuration key, a header value out of range, a file of the wrong size, or a missing, unexpected or misshapen
/// tensor. The message names the file and, where the fault lies in one field or tensor, that field or tensor.
/// </summary>
public sealed class ModelFormatException : FileFormatException
{
    // Names may come from untrusted headers and be megabytes long; messages keep only their start.
    private const int MaxQuotedLength = 200;

    private ModelFormatException(string filePath, string? field, string? tensorName, string detail, Exception? innerException)
        : base(filePath, Describe(filePath, field, tensorName, detail), innerException)
    {
        Field = field;
        TensorName = tensorName;
    }

    /// <summary>
    /// Gets the offending configuration key or header field (such as <c>hidden_size</c> or <c>n_kv_heads</c>), or
    /// <see langword="null"/> when the fault is not in one field.
    /// </summary>
    public string? Field { get; }

    /// <summary>Gets the name of the offending tensor, or <see langword="null"/> when the fault is not in one tensor.</summary>
    public string? TensorName { get; }

    internal static ModelFormatException ForFile(string filePath, string detail, Exception? inner = null) =>
        new(filePath, null, null, detail, inner);

    internal static ModelFormatException ForField(string filePath, string field, string detail, Exception? inner = null) =>
        new(filePath, field, null, detail, inner);

    /// <summary>The error of a JSON file's key (<paramref name="field"/> <see langword="null"/>: of the whole file), for <see cref="JsonObjectReader"/>.</summary>
    internal static ModelFormatException ForJson(string filePath, string? field, string detail) => new(filePath, field, null, detail, null);

    internal static ModelFormatException ForTensor(string filePath, string tensorName, string detail, Exception? inner = null) =>
        new(filePath, null, tensorName, detail, inner);

    internal static string Quote(string name) =>
        name.Length <= MaxQuotedLength ? $"'{name}'" : $"'{name[..MaxQuotedLength]}…' ({name.Length} characters)";

    private static string Describe(string filePath, string? field, string? tensorName, string detail)
    {
        string where = field is not null
            ? $": field {Quote(field)}"
            : tensorName is not null ? $": tensor {Quote(tensorName)}" : "";
        return $"Invalid model file '{filePath}'{where}: {detail}";
    }
}
