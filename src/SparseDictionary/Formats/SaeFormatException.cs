namespace SparseDictionary.Formats;

/// <summary>
/// The exception thrown when a folder is not an SAE folder this library can load (SAELens, dictionary_learning or
/// sparsify): a missing file, a missing or ill-typed config key, an unknown architecture, a missing or misshapen tensor,
/// non-finite weights, or a setting (such as a run-time normalisation) that cannot be honoured. The message names the file and, where the fault
/// lies in one key or tensor, that key or tensor.
/// </summary>
public sealed class SaeFormatException : FileFormatException
{
    private SaeFormatException(string filePath, string? key, string? tensorName, string detail, Exception? innerException)
        : base(filePath, Describe(filePath, key, tensorName, detail), innerException)
    {
        Key = key;
        TensorName = tensorName;
    }

    /// <summary>
    /// Gets the offending <c>cfg.json</c> key as a dotted path (such as <c>d_in</c> or <c>metadata.hook_name</c>), or
    /// <see langword="null"/> when the fault is not in one key.
    /// </summary>
    public string? Key { get; }

    /// <summary>Gets the name of the offending tensor, or <see langword="null"/> when the fault is not in one tensor.</summary>
    public string? TensorName { get; }

    internal static SaeFormatException ForFile(string filePath, string detail, Exception? inner = null) =>
        new(filePath, null, null, detail, inner);

    internal static SaeFormatException ForKey(string filePath, string key, string detail, Exception? inner = null) =>
        new(filePath, key, null, detail, inner);

    /// <summary>The error of a JSON file's key (<paramref name="key"/> <see langword="null"/>: of the whole file), for <see cref="JsonObjectReader"/>.</summary>
    internal static SaeFormatException ForJson(string filePath, string? key, string detail) => new(filePath, key, null, detail, null);

    internal static SaeFormatException ForTensor(string filePath, string tensorName, string detail, Exception? inner = null) =>
        new(filePath, null, tensorName, detail, inner);

    private static string Describe(string filePath, string? key, string? tensorName, string detail)
    {
        string where = key is not null
            ? $": key {SafeTensorsFormatException.Quote(key)}"
            : tensorName is not null ? $": tensor {SafeTensorsFormatException.Quote(tensorName)}" : "";
        return $"Invalid SAE file '{filePath}'{where}: {detail}";
    }
}
