using System.Text.Json;
using System.Text.Unicode;

namespace SparseDictionary.Formats;

/// <summary>Parses and validates the JSON header of a safetensors file, entry by entry.</summary>
/// <remarks>Offsets are checked against each other and the data buffer by <see cref="SafeTensorsLayout"/>.</remarks>
internal static class SafeTensorsHeaderParser
{
    public const string MetadataKey = "__metadata__";

    // A valid header nests three deep (header, entry, shape). One level of slack lets a shape such as [[1]] be
    // reported against its tensor; anything deeper is rejected by the JSON reader before we see it.
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 4 };

    public static (Dictionary<string, string> Metadata, List<SafeTensorEntry> Entries) Parse(byte[] header, string path)
    {
        if (!Utf8.IsValid(header))
        {
            throw new SafeTensorsFormatException(path, null, "the header is not valid UTF-8");
        }
        // The spec requires the header to start with '{'; this also rules out a byte-order mark.
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw new SafeTensorsFormatException(path, null, "the header must be a JSON object and begin with '{'");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, Options);
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException(path, null, $"the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorEntry>();
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                string key = ReadName(property, path, null);
                if (!keys.Add(key))
                {
                    throw key == MetadataKey
                        ? new SafeTensorsFormatException(path, null, $"the header has {MetadataKey} twice")
                        : new SafeTensorsFormatException(path, key, "the header has this tensor twice");
                }
                if (key == MetadataKey)
                {
                    ParseMetadata(property.Value, metadata, path);
                }
                else
                {
                    entries.Add(ParseEntry(key, property.Value, path));
                }
            }
            return (metadata, entries);
        }
    }

    private static void ParseMetadata(JsonElement element, Dictionary<string, string> metadata, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(path, null, $"{MetadataKey} must be an object, not {element.ValueKind}");
        }
        foreach (JsonProperty property in element.EnumerateObject())
        {
            string key = ReadName(property, path, null);
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafeTensorsFormatException(path, null,
                    $"{MetadataKey} value {SafeTensorsFormatException.Quote(key)} must be a string, not {property.Value.ValueKind}");
            }
            if (!metadata.TryAdd(key, ReadString(property.Value, path, null)))
            {
                throw new SafeTensorsFormatException(path, null, $"{MetadataKey} has the key {SafeTensorsFormatException.Quote(key)} twice");
            }
        }
    }

    private static SafeTensorEntry ParseEntry(string name, JsonElement element, string path)
    {
        if (name.Length == 0)
        {
            throw new SafeTensorsFormatException(path, name, "tensor names must not be empty");
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsFormatException(path, name, $"the entry must be an object, not {element.ValueKind}");
        }

        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (JsonProperty field in element.EnumerateObject())
        {
            if (field.NameEquals("dtype")) { Assign(ref dtype, field); }
            else if (field.NameEquals("shape")) { Assign(ref shape, field); }
            else if (field.NameEquals("data_offsets")) { Assign(ref offsets, field); }
            else
            {
                throw new SafeTensorsFormatException(path, name,
                    $"unknown field {SafeTensorsFormatException.Quote(ReadName(field, path, name))}; entries have exactly dtype, shape and data_offsets");
            }
        }

        SafeTensorDType type = ParseDType(dtype ?? throw Missing("dtype"), name, path);
        long[] dimensions = ParseShape(shape ?? throw Missing("shape"), name, path);
        (long begin, long end) = ParseOffsets(offsets ?? throw Missing("data_offsets"), name, path);

        long byteLength = ByteLength(dimensions, type, name, path);
        if (end - begin != byteLength)
        {
            throw new SafeTensorsFormatException(path, name,
                $"data_offsets [{begin}, {end}] span {end - begin} bytes, but its shape and dtype {type} need {byteLength}");
        }
        return new SafeTensorEntry(name, type, dimensions, begin, end);

        SafeTensorsFormatException Missing(string field) => new(path, name, $"the field '{field}' is missing");

        void Assign(ref JsonElement? slot, JsonProperty field)
        {
            if (slot is not null)
            {
                throw new SafeTensorsFormatException(path, name, $"the field '{field.Name}' appears twice");
            }
            slot = field.Value;
        }
    }

    private static SafeTensorDType ParseDType(JsonElement element, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new SafeTensorsFormatException(path, name, $"dtype must be a string, not {element.ValueKind}");
        }
        string value = ReadString(element, path, name);
        return SafeTensorDType.TryFromName(value, out SafeTensorDType? dtype)
            ? dtype
            : throw new SafeTensorsFormatException(path, name, $"dtype {SafeTensorsFormatException.Quote(value)} is not supported");
    }

    private static long[] ParseShape(JsonElement element, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new SafeTensorsFormatException(path, name, $"shape must be an array, not {element.ValueKind}");
        }
        var shape = new long[element.GetArrayLength()];
        int i = 0;
        foreach (JsonElement dimension in element.EnumerateArray())
        {
            shape[i] = ReadNonNegative(dimension, $"shape[{i}]", name, path);
            i++;
        }
        return shape;
    }

    private static (long Begin, long End) ParseOffsets(JsonElement element, string name, string path)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
        {
            throw new SafeTensorsFormatException(path, name, "data_offsets must be an array of two integers [begin, end]");
        }
        long begin = ReadNonNegative(element[0], "data_offsets[0]", name, path);
        long end = ReadNonNegative(element[1], "data_offsets[1]", name, path);
        if (begin > end)
        {
            throw new SafeTensorsFormatException(path, name, $"data_offsets [{begin}, {end}] end before they begin");
        }
        return (begin, end);
    }

    private static long ByteLength(long[] shape, SafeTensorDType dtype, string name, string path)
    {
        // Zeros aside, the dimensions must multiply without overflow even for an empty tensor: torch derives its
        // strides from them.
        long product = 1;
        bool empty = false;
        foreach (long dimension in shape)
        {
            if (dimension == 0)
            {
                empty = true;
            }
            else if (product > long.MaxValue / dimension)
            {
                throw new SafeTensorsFormatException(path, name, "the shape's element count overflows a 64-bit integer");
            }
            else
            {
                product *= dimension;
            }
        }
        if (empty)
        {
            return 0;
        }
        if (product > long.MaxValue / dtype.Size)
        {
            throw new SafeTensorsFormatException(path, name, "the shape's byte size overflows a 64-bit integer");
        }
        return product * dtype.Size;
    }

    private static long ReadNonNegative(JsonElement element, string field, string name, string path) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long value) && value >= 0
            ? value
            : throw new SafeTensorsFormatException(path, name, $"{field} must be a non-negative 64-bit integer, not {Describe(element)}");

    // Number tokens can be arbitrarily long; messages keep only their start.
    private static string Describe(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Number)
        {
            return element.ValueKind.ToString();
        }
        string text = element.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }

    // Escapes such as "\ud800" pass the JSON reader but cannot become a .NET string; the reader reports that as InvalidOperationException.
    private static string ReadName(JsonProperty property, string path, string? tensorName)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new SafeTensorsFormatException(path, tensorName, $"a key is not valid Unicode: {e.Message}", e);
        }
    }

    private static string ReadString(JsonElement element, string path, string? tensorName)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new SafeTensorsFormatException(path, tensorName, $"a string is not valid Unicode: {e.Message}", e);
        }
    }
}
