using System.Text.Json;

namespace SparseDictionary.Formats;

/// <summary>
/// The strict JSON parsing and value descriptions shared by every JSON reader (SAELens, sparsify, dictionary_learning, Hugging
/// Face, activation cache, training checkpoint); their objects' fields are read by <see cref="JsonObjectReader"/>.
/// </summary>
internal static class StrictJson
{
    /// <summary>
    /// Parses UTF-8 JSON (a leading byte-order mark is skipped) with comments and trailing commas refused and nesting
    /// bounded by <paramref name="maxDepth"/>. Throws <see cref="JsonException"/> or <see cref="ArgumentException"/>
    /// for invalid input; callers turn them into their own file-naming exception.
    /// </summary>
    /// <remarks>
    /// <see cref="JsonDocument"/> checks neither that the bytes are valid UTF-8 nor that <c>\u</c> escapes form valid UTF-16,
    /// and reading such a string later throws <see cref="InvalidOperationException"/>; both are checked here, so every string
    /// and property name of the returned document can be read.
    /// </remarks>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, int maxDepth)
    {
        if (utf8.Span.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        if (!System.Text.Unicode.Utf8.IsValid(utf8.Span)) throw new JsonException("The text is not valid UTF-8.");
        var document = JsonDocument.Parse(utf8, new JsonDocumentOptions
        {
            MaxDepth = maxDepth,
            AllowTrailingCommas = false,
            CommentHandling = JsonCommentHandling.Disallow,
        });
        try
        {
            CheckStrings(document.RootElement);
            return document;
        }
        catch (InvalidOperationException e)
        {
            document.Dispose();
            throw new JsonException($"A string is not valid UTF-16: {e.Message}", e);
        }
    }

    // Decodes every string and property name once (nesting is bounded by the parse's MaxDepth).
    private static void CheckStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray()) CheckStrings(item);
                break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    _ = property.Name;
                    CheckStrings(property.Value);
                }
                break;
        }
    }

    /// <summary>A short description of a value for error messages ("the string \"x\"", "an array", ...).</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string {Truncate(value.GetRawText())}",
        JsonValueKind.Number => $"the number {Truncate(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
