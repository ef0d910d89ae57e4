using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SparseDictionary.Formats;

/// <summary>Serializes a safetensors header the way the reference implementation does.</summary>
internal static class SafeTensorsHeaderWriter
{
    // The header is not HTML: escape only what JSON requires, so names such as "a+b" or "é" stay readable.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Returns the UTF-8 header: <c>__metadata__</c> first (keys in ordinal order, so output is deterministic), then the
    /// entries in the given order, padded with spaces to a multiple of 8 bytes so the data buffer starts 8-byte aligned.
    /// </summary>
    public static byte[] Build(IReadOnlyList<SafeTensorEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(SafeTensorsHeaderParser.MetadataKey);
                foreach (KeyValuePair<string, string> pair in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    json.WriteString(pair.Key, pair.Value);
                }
                json.WriteEndObject();
            }
            foreach (SafeTensorEntry entry in entries)
            {
                json.WriteStartObject(entry.Name);
                json.WriteString("dtype", entry.DType.Name);
                json.WriteStartArray("shape");
                foreach (long dimension in entry.Shape)
                {
                    json.WriteNumberValue(dimension);
                }
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(entry.Begin);
                json.WriteNumberValue(entry.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }

        int paddedLength = (buffer.WrittenCount + 7) & ~7;
        byte[] header = new byte[paddedLength];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }
}
