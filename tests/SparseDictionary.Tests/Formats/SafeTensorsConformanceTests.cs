using System.Buffers.Binary;
using System.Text;
using SparseDictionary.Formats;
using TorchSharp;
using Xunit;

namespace SparseDictionary.Tests.Formats;

/// <summary>Checks the library against the format itself, using files and bytes built by hand rather than by its own writer.</summary>
public sealed class SafeTensorsConformanceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void HandMadeFile_IsReadWithTheExpectedValues()
    {
        // Entries deliberately out of offset order, with the metadata between them and no header padding.
        string header = """
            {"w":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]},"__metadata__":{"format":"pt"},
            "d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[24,28]},
            "b":{"dtype":"BF16","shape":[2],"data_offsets":[28,32]},"i":{"dtype":"I16","shape":[],"data_offsets":[32,34]},
            "flags":{"dtype":"BOOL","shape":[3],"data_offsets":[34,37]},"e":{"dtype":"I8","shape":[0,5],"data_offsets":[37,37]}}
            """.ReplaceLineEndings("");
        byte[] data =
        [
            .. BitConverter.GetBytes(-0.125d),
            .. SafeTensorsBytes.Floats(1f, -2.5f, 3.75f, 1e-3f),
            0x00, 0x3C, 0x00, 0xC0,   // F16 1.0, -2.0
            0x80, 0x3F, 0x40, 0xC0,   // BF16 1.0, -3.0
            0xFE, 0xFF,               // I16 -2
            0x00, 0x01, 0x02,         // BOOL: any non-zero byte reads as true
        ];
        string path = _temp.File("hand-made.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build(header, data));

        using SafeTensorsFile file = SafeTensors.Open(path);

        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(["d", "w", "h", "b", "i", "flags", "e"], file.Tensors.Select(t => t.Name));
        using torch.Tensor w = file.Load("w");
        Assert.Equal([2L, 2L], w.shape);
        Assert.Equal([1f, -2.5f, 3.75f, 1e-3f], w.data<float>().ToArray());
        using torch.Tensor d = file.Load("d");
        Assert.Equal(-0.125d, d.item<double>());
        using torch.Tensor h = file.Load("h", dtype: torch.ScalarType.Float32);
        Assert.Equal([1f, -2f], h.data<float>().ToArray());
        using torch.Tensor b = file.Load("b", dtype: torch.ScalarType.Float32);
        Assert.Equal([1f, -3f], b.data<float>().ToArray());
        using torch.Tensor i = file.Load("i");
        Assert.Empty(i.shape);
        Assert.Equal((short)-2, i.item<short>());
        using torch.Tensor flags = file.Load("flags");
        Assert.Equal([false, true, true], flags.data<bool>().ToArray());
        Assert.Equal([(byte)0, (byte)1, (byte)1], flags.bytes.ToArray());
        using torch.Tensor e = file.Load("e");
        Assert.Equal([0L, 5L], e.shape);
        Assert.Equal(torch.ScalarType.Int8, e.dtype);
    }

    [Fact]
    public void UnalignedHeader_IsRead()
    {
        // 60-byte header, so the data starts at byte 68, as writers that skip the padding (TorchSharp.PyBridge) produce.
        const string header = """{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}""";
        Assert.NotEqual(0, (8 + header.Length) % 8);
        byte[] data = [.. BitConverter.GetBytes(1), .. BitConverter.GetBytes(-2), .. BitConverter.GetBytes(3), .. BitConverter.GetBytes(int.MaxValue)];
        string path = _temp.File("unaligned.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build(header, data));

        using torch.Tensor test = SafeTensors.LoadAll(path)["test"];

        Assert.Equal([1, -2, 3, int.MaxValue], test.data<int>().ToArray());
    }

    [Fact]
    public void ZeroElementTensorWithHugeDimensions_IsRead()
    {
        const string header = """{"e":{"dtype":"F64","shape":[4611686018427387903,0,2],"data_offsets":[0,0]}}""";
        string path = _temp.File("huge-empty.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build(header, []));

        using SafeTensorsFile file = SafeTensors.Open(path);
        using torch.Tensor e = file.Load("e");

        Assert.Equal([4611686018427387903L, 0L, 2L], e.shape);
    }

    [Fact]
    public void Save_WritesTheSameBytesAsTheReferenceImplementation()
    {
        // The reference serializes this tensor to a 64-byte header that needs no padding.
        string path = _temp.File("reference.safetensors");
        using torch.Tensor attention = torch.arange(6, dtype: torch.ScalarType.Float32).reshape(1, 2, 3);

        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["attn.0"] = attention });

        const string header = """{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}""";
        Assert.Equal(64, header.Length);
        byte[] expected = SafeTensorsBytes.Build(header, SafeTensorsBytes.Floats(0, 1, 2, 3, 4, 5));
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Save_PadsTheHeaderWithSpacesAndOrdersTensorsWidestDTypeFirst()
    {
        string path = _temp.File("padded.safetensors");

        SafeTensors.Save(
            path,
            new Dictionary<string, torch.Tensor>
            {
                ["a"] = torch.tensor(new byte[] { 1, 2, 3 }),
                ["b"] = torch.tensor(new[] { 1.5f }),
            },
            new Dictionary<string, string> { ["format"] = "pt" });

        // 137 bytes of JSON and 7 spaces: 8 + 144 is a multiple of 8. "b" (F32) precedes "a" (U8), as in the reference.
        string header = """
            {"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},
            "a":{"dtype":"U8","shape":[3],"data_offsets":[4,7]}}
            """.ReplaceLineEndings("") + "       ";
        Assert.Equal(144, header.Length);
        byte[] expected =
        [
            144, 0, 0, 0, 0, 0, 0, 0,
            .. Encoding.ASCII.GetBytes(header),
            0x00, 0x00, 0xC0, 0x3F,
            1, 2, 3,
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Save_KeepsEveryTensorAlignedToItsElementSize()
    {
        string path = _temp.File("aligned.safetensors");
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["a.bool"] = torch.ones(3, dtype: torch.ScalarType.Bool),
            ["b.f16"] = torch.ones(3, dtype: torch.ScalarType.Float16),
            ["c.f32"] = torch.ones(3, dtype: torch.ScalarType.Float32),
            ["d.i64"] = torch.ones(3, dtype: torch.ScalarType.Int64),
            ["e.u8"] = torch.ones(1, dtype: torch.ScalarType.Byte),
            ["f.f64"] = torch.ones(1, dtype: torch.ScalarType.Float64),
        };

        SafeTensors.Save(path, tensors);

        using SafeTensorsFile file = SafeTensors.Open(path);
        long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path));
        Assert.Equal(0, dataStart % 8);
        Assert.Equal(["d.i64", "f.f64", "c.f32", "b.f16", "e.u8", "a.bool"], file.Tensors.Select(t => t.Name));
        foreach (SafeTensorInfo info in file.Tensors)
        {
            Assert.Equal(0, info.Begin % tensors[info.Name].ElementSize);
        }
    }
}
