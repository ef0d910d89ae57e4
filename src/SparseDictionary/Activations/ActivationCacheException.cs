using SparseDictionary.Formats;

namespace SparseDictionary.Activations;

/// <summary>
/// The exception thrown when a folder is not a usable activation cache: a missing or malformed <c>manifest.json</c>, a
/// missing shard, a shard whose size, checksum or header disagrees with the manifest, or a cache that does not match what
/// a resuming writer was asked for. The message names the file and, where the fault lies in one manifest field, that field.
/// </summary>
public sealed class ActivationCacheException : FileFormatException
{
    internal ActivationCacheException(string filePath, string? field, string detail, Exception? innerException = null)
        : base(filePath, Describe(filePath, field, detail), innerException)
    {
        Field = field;
    }

    /// <summary>
    /// Gets the offending manifest field as a path such as <c>d_in</c> or <c>shards[3].sha256</c>, or
    /// <see langword="null"/> when the fault is not in one field.
    /// </summary>
    public string? Field { get; }

    private static string Describe(string filePath, string? field, string detail) =>
        field is null
            ? $"Invalid activation cache file '{filePath}': {detail}"
            : $"Invalid activation cache file '{filePath}': field '{field}': {detail}";
}
