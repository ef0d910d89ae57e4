using System.Text;
using SparseDictionary.Formats;
using TorchSharp;
using Xunit;

namespace SparseDictionary.Tests.Formats;

/// <summary>One corrupt file per rule of the format: each must fail to open with a message naming the file and the culprit.</summary>
public sealed class SafeTensorsValidationTests : IDisposable
{
    private const string F32Pair = """{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Case name, header JSON, data buffer length, tensor the message must name (if any), expected message fragment.</summary>
    public static TheoryData<string, string, int, string?, string> CorruptHeaders => new()
    {
        // The header as a whole.
        { "not-json", """{"w":""", 0, null, "not valid JSON" },
        { "trailing-garbage", """{} x""", 0, null, "not valid JSON" },
        { "trailing-comma", """{"w":""" + F32Pair + ",}", 8, null, "not valid JSON" },
        { "comment", """{/* c */}""", 0, null, "not valid JSON" },
        { "array", "[]", 0, null, "JSON object" },
        { "string", "\"{}\"", 0, null, "JSON object" },
        { "leading-space", " {}", 0, null, "JSON object" },
        { "too-deep", """{"__metadata__":{"k":[[[[[[[[1]]]]]]]]}}""", 0, null, "depth" },
        { "duplicate-tensor", """{"w":""" + F32Pair + ""","w":""" + F32Pair + "}", 8, "w", "twice" },
        { "lone-surrogate", """{"\ud800":""" + F32Pair + "}", 8, null, "not valid Unicode" },

        // One entry.
        { "empty-name", """{"":""" + F32Pair + "}", 8, "", "must not be empty" },
        { "entry-number", """{"w":5}""", 0, "w", "must be an object" },
        { "entry-array", """{"w":[]}""", 0, "w", "must be an object" },
        { "unknown-field", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}""", 8, "w", "unknown field 'extra'" },
        { "duplicate-field", """{"w":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "w", "'dtype' appears twice" },
        { "missing-dtype", """{"w":{"shape":[2],"data_offsets":[0,8]}}""", 8, "w", "'dtype' is missing" },
        { "missing-shape", """{"w":{"dtype":"F32","data_offsets":[0,8]}}""", 8, "w", "'shape' is missing" },
        { "missing-offsets", """{"w":{"dtype":"F32","shape":[2]}}""", 8, "w", "'data_offsets' is missing" },
        { "dtype-unknown", """{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", 2, "w", "'F8_E4M3' is not supported" },
        { "dtype-lowercase", """{"w":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}""", 8, "w", "'f32' is not supported" },
        { "dtype-number", """{"w":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}""", 8, "w", "dtype must be a string" },
        { "shape-number", """{"w":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}""", 8, "w", "shape must be an array" },
        { "shape-negative", """{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "w", "shape[0] must be a non-negative" },
        { "shape-fraction", """{"w":{"dtype":"F32","shape":[1,2.0],"data_offsets":[0,8]}}""", 8, "w", "shape[1] must be a non-negative" },
        { "shape-exponent", """{"w":{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}}""", 8, "w", "shape[0] must be a non-negative" },
        { "shape-beyond-long", """{"w":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,8]}}""", 8, "w", "shape[0] must be a non-negative" },
        { "shape-string", """{"w":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}}""", 8, "w", "shape[0] must be a non-negative" },
        { "shape-nested", """{"w":{"dtype":"F32","shape":[[2]],"data_offsets":[0,8]}}""", 8, "w", "shape[0] must be a non-negative" },
        { "shape-overflow", """{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", 8, "w", "element count overflows" },
        { "shape-overflow-empty", """{"w":{"dtype":"F32","shape":[4294967296,0,4294967296],"data_offsets":[0,0]}}""", 0, "w", "element count overflows" },
        { "bytes-overflow", """{"w":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,8]}}""", 8, "w", "byte size overflows" },
        { "offsets-one", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[8]}}""", 8, "w", "two integers" },
        { "offsets-three", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}""", 8, "w", "two integers" },
        { "offsets-object", """{"w":{"dtype":"F32","shape":[2],"data_offsets":{"0":8}}}""", 8, "w", "two integers" },
        { "offsets-negative", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", 8, "w", "data_offsets[0] must be a non-negative" },
        { "offsets-fraction", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}""", 8, "w", "data_offsets[1] must be a non-negative" },
        { "offsets-reversed", """{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8, "w", "end before they begin" },
        { "length-mismatch", """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "w", "span 8 bytes, but its shape and dtype F32 need 12" },

        // The layout of the data buffer.
        { "beyond-buffer", """{"w":""" + F32Pair + "}", 4, "w", "past the end of the 4-byte data buffer" },
        { "overlap", """{"a":""" + F32Pair + ""","b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "b", "overlap those of tensor 'a'" },
        { "hole", """{"a":""" + F32Pair + ""","b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}""", 20, "b", "bytes [8, 12)" },
        { "hole-at-start", """{"w":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "w", "forbids holes" },
        { "trailing-bytes", """{"w":""" + F32Pair + "}", 12, null, "bytes [8, 12)" },
        { "empty-tensor-inside-another", """{"a":""" + F32Pair + ""","e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}""", 8, "e", "overlap" },

        // The metadata.
        { "metadata-string", """{"__metadata__":"x"}""", 0, null, "__metadata__ must be an object" },
        { "metadata-null", """{"__metadata__":null}""", 0, null, "__metadata__ must be an object" },
        { "metadata-number-value", """{"__metadata__":{"k":1}}""", 0, null, "value 'k' must be a string" },
        { "metadata-null-value", """{"__metadata__":{"k":null}}""", 0, null, "value 'k' must be a string" },
        { "metadata-duplicate-key", """{"__metadata__":{"k":"a","k":"b"}}""", 0, null, "has the key 'k' twice" },
        { "metadata-twice", """{"__metadata__":{},"__metadata__":{}}""", 0, null, "twice" },
    };

    [Theory]
    [MemberData(nameof(CorruptHeaders))]
    public void CorruptHeader_IsRejected(string name, string header, int dataLength, string? tensor, string fragment)
    {
        var error = OpenCorrupt(name, SafeTensorsBytes.Build(header, new byte[dataLength]));

        Assert.Contains(fragment, error.Message);
        Assert.Equal(tensor, error.TensorName);
        if (!string.IsNullOrEmpty(tensor))
        {
            Assert.Contains($"'{tensor}'", error.Message);
        }
    }

    [Fact]
    public void ValidHeader_UsedByTheCorruptCases_IsAccepted()
    {
        string path = _temp.File("control.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build("""{"__metadata__":{"k":"v"},"w":""" + F32Pair + "}", new byte[8]));

        using SafeTensorsFile file = SafeTensors.Open(path);

        Assert.Equal(["w"], file.Tensors.Select(t => t.Name));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void FileShorterThanTheLengthPrefix_IsRejected(int length)
    {
        var error = OpenCorrupt($"short-{length}", new byte[length]);

        Assert.Contains("too short", error.Message);
    }

    [Fact]
    public void HeaderLengthZero_IsRejected()
    {
        var error = OpenCorrupt("zero-length", SafeTensorsBytes.WithPrefix(0, Encoding.ASCII.GetBytes("{}")));

        Assert.Contains("header length is 0", error.Message);
    }

    [Fact]
    public void HeaderLengthBeyondTheFile_IsRejected()
    {
        var error = OpenCorrupt("beyond-file", SafeTensorsBytes.WithPrefix(3, Encoding.ASCII.GetBytes("{}")));

        Assert.Contains("exceeds the 2 bytes", error.Message);
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(1UL << 63)]
    [InlineData(ulong.MaxValue)]
    public void HeaderLengthBeyondTheLimit_IsRejectedWithoutReadingIt(ulong length)
    {
        var error = OpenCorrupt($"huge-{length}", SafeTensorsBytes.WithPrefix(length, Encoding.ASCII.GetBytes("{}")));

        Assert.Contains("limit of 100000000 bytes", error.Message);
    }

    [Fact]
    public void HeaderThatIsNotUtf8_IsRejected()
    {
        byte[] header = [.. "{\"w"u8, 0xFF, .. "\":1}"u8];

        var error = OpenCorrupt("not-utf8", SafeTensorsBytes.Build(header, []));

        Assert.Contains("not valid UTF-8", error.Message);
    }

    [Fact]
    public void HeaderWithAByteOrderMark_IsRejected()
    {
        byte[] header = [0xEF, 0xBB, 0xBF, .. "{}"u8];

        var error = OpenCorrupt("bom", SafeTensorsBytes.Build(header, []));

        Assert.Contains("JSON object", error.Message);
    }

    [Fact]
    public void Load_AfterTheFileShrank_ThrowsFormatExceptionNamingTheTensor()
    {
        string path = _temp.File("shrinking.safetensors");
        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["w"] = torch.ones(4) });
        long length = new FileInfo(path).Length;
        using SafeTensorsFile file = SafeTensors.Open(path);

        using (var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            writer.SetLength(length - 1);
        }

        var error = Assert.Throws<SafeTensorsFormatException>(() => file.Load("w"));
        Assert.Equal("w", error.TensorName);
        Assert.Contains("shrinking.safetensors", error.Message);
    }

    private SafeTensorsFormatException OpenCorrupt(string name, byte[] bytes)
    {
        string fileName = $"corrupt-{name}.safetensors";
        string path = _temp.File(fileName);
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Open(path).Dispose());

        Assert.Contains(fileName, error.Message);
        Assert.Equal(Path.GetFullPath(path), error.FilePath);
        return error;
    }
}
