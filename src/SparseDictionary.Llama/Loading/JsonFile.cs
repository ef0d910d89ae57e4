using SparseDictionary.Formats;
using System.Text.Json;

namespace SparseDictionary.Llama;

/// <summary>Reads a small JSON file (a model configuration or a shard index) into a document, strictly and with bounds.</summary>
internal static class JsonFile
{
    /// <summary>Nesting limit of the parser; the files read here nest a few levels deep.</summary>
    public const int MaxDepth = 64;

    /// <summary>Largest file read; real configurations are a few kilobytes and a 70B model's index is under 100 kB.</summary>
    public const long MaxFileBytes = 16L << 20;

    /// <summary>Parses <paramref name="path"/>, which must hold one JSON object.</summary>
    /// <exception cref="ModelFormatException">The file is missing, too large, not JSON, or not an object.</exception>
    public static JsonDocument ReadObject(string path)
    {
        byte[] bytes;
        try
        {
            using FileStream stream = File.OpenRead(path);
            if (stream.Length > MaxFileBytes)
            {
                throw ModelFormatException.ForFile(path, $"the file holds {stream.Length} bytes, more than the {MaxFileBytes} a JSON configuration may have.");
            }
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ModelFormatException.ForFile(path, $"the file cannot be read: {e.Message}", e);
        }

        JsonDocument document;
        try
        {
            document = StrictJson.Parse(bytes, MaxDepth);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw ModelFormatException.ForFile(path, $"the file is not valid JSON: {e.Message}", e);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            JsonValueKind kind = document.RootElement.ValueKind;
            document.Dispose();
            throw ModelFormatException.ForFile(path, $"expected a JSON object, found {kind}.");
        }
        return document;
    }
}
