using System.Text.Json;

namespace SparseDictionary.Formats;

/// <summary>The strict JSON parsing and value descriptions shared by every config reader (SAELens, Hugging Face).</summary>
internal static class StrictJson
{
    /// <summary>
    /// Parses UTF-8 JSON (a leading byte-order mark is skipped) with comments and trailing commas refused and nesting
    /// bounded by <paramref name="maxDepth"/>. Throws <see cref="JsonException"/> or <see cref="ArgumentException"/>
    /// for invalid input; callers turn them into their own file-naming exception.
    /// </summary>
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, int maxDepth)
    {
        if (utf8.Span.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        return JsonDocument.Parse(utf8, new JsonDocumentOptions
        {
            MaxDepth = maxDepth,
            AllowTrailingCommas = false,
            CommentHandling = JsonCommentHandling.Disallow,
        });
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
