using SparseDictionary.Formats;
using TorchSharp;
using Xunit;

namespace SparseDictionary.Tests.Formats;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void RoundTrip_PreservesEveryDTypeShapeAndMetadataBitForBit()
    {
        var random = new Random(1234);
        var tensors = new Dictionary<string, torch.Tensor>
        {
            ["f64"] = RandomBits(random, torch.ScalarType.Float64, 5),
            ["f32"] = RandomBits(random, torch.ScalarType.Float32, 3, 4),
            // NaN with a payload, negative zero, a subnormal, infinity: conversions through float would change these bits.
            ["f16"] = FromBits(torch.ScalarType.Float16, [0x7E01, 0x8000, 0x0001, 0x7C00, 0x3C00, 0xFFFF]),
            ["bf16"] = FromBits(torch.ScalarType.BFloat16, [0x7FC1, 0x8000, 0x0001, 0xFF80, 0x3F80, 0xFFFF]).reshape(2, 3),
            ["i64"] = RandomBits(random, torch.ScalarType.Int64, 2, 2),
            ["i32"] = RandomBits(random, torch.ScalarType.Int32, 7),
            ["i16"] = RandomBits(random, torch.ScalarType.Int16, 3),
            ["i8"] = RandomBits(random, torch.ScalarType.Int8, 5),
            ["u8"] = RandomBits(random, torch.ScalarType.Byte, 9),
            ["bool"] = torch.tensor(new[] { true, false, true, true }),
            ["scalar"] = torch.tensor(3.25f),
            ["empty"] = torch.empty(new long[] { 0, 3 }, torch.ScalarType.Float32),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "héllo \"quoted\" <b>\n" };
        string path = _temp.File("model.safetensors");

        SafeTensors.Save(path, tensors, metadata);

        using SafeTensorsFile file = SafeTensors.Open(path);
        Assert.Equal(metadata.OrderBy(p => p.Key), file.Metadata.OrderBy(p => p.Key));
        Assert.Equal(tensors.Keys.Order(), file.Tensors.Select(t => t.Name).Order());
        foreach ((string name, torch.Tensor expected) in tensors)
        {
            using torch.Tensor actual = file.Load(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.Equal(expected.bytes.ToArray(), actual.bytes.ToArray());
        }
        Assert.Empty(file.Info("scalar").Shape);
        Assert.Equal(0, file.Info("empty").ByteLength);
    }

    [Fact]
    public void Save_CopiesNonContiguousAndGradientTrackingTensors()
    {
        using torch.Tensor matrix = torch.arange(12, dtype: torch.ScalarType.Float32).reshape(3, 4);
        using torch.Tensor transposed = matrix.t();
        using torch.Tensor weights = torch.ones(2, 2, requires_grad: true);
        string path = _temp.File("views.safetensors");

        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["t"] = transposed, ["w"] = weights });

        Dictionary<string, torch.Tensor> loaded = SafeTensors.LoadAll(path);
        Assert.Equal([4L, 3L], loaded["t"].shape);
        Assert.Equal([0f, 4f, 8f, 1f, 5f, 9f, 2f, 6f, 10f, 3f, 7f, 11f], loaded["t"].data<float>().ToArray());
        Assert.Equal([1f, 1f, 1f, 1f], loaded["w"].data<float>().ToArray());
        Assert.False(loaded["w"].requires_grad);
        DisposeAll(loaded);
    }

    [Fact]
    public void Load_ConvertsToTheRequestedDType()
    {
        string path = _temp.File("convert.safetensors");
        using torch.Tensor half = torch.tensor(new[] { 1.5f, -2f, 1024f }).to(torch.ScalarType.BFloat16);
        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["h"] = half });

        using SafeTensorsFile file = SafeTensors.Open(path);
        using torch.Tensor wide = file.Load("h", torch.CPU, torch.ScalarType.Float32);

        Assert.Equal(torch.ScalarType.Float32, wide.dtype);
        Assert.Equal(new[] { 1.5f, -2f, 1024f }, wide.data<float>().ToArray());
    }

    [Fact]
    public void Names_WithNonAsciiAndJsonSpecialCharacters_RoundTrip()
    {
        string[] names = ["é", "emoji😀", "a+b<c>&'", "quote\"back\\slash", "tab\tnew\nline", "layers.0.weight"];
        string path = _temp.File("names.safetensors");
        SafeTensors.Save(path, names.ToDictionary(n => n, n => torch.tensor(n.Length)));

        using SafeTensorsFile file = SafeTensors.Open(path);

        foreach (string name in names)
        {
            using torch.Tensor value = file.Load(name);
            Assert.Equal(name.Length, value.item<int>());
        }
    }

    [Fact]
    public void EmptyDictionary_RoundTripsAsAFileWithoutTensors()
    {
        string path = _temp.File("empty.safetensors");

        SafeTensors.Save(path, new Dictionary<string, torch.Tensor>());

        Assert.Equal(16, new FileInfo(path).Length);
        using SafeTensorsFile file = SafeTensors.Open(path);
        Assert.Empty(file.Tensors);
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Info_DescribesTheTensorAndUnknownNamesThrowKeyNotFound()
    {
        string path = _temp.File("info.safetensors");
        SafeTensors.Save(path, new Dictionary<string, torch.Tensor>
        {
            ["b"] = torch.zeros(2, 3, dtype: torch.ScalarType.Float32),
            ["a"] = torch.zeros(4, dtype: torch.ScalarType.Float64),
        });

        using SafeTensorsFile file = SafeTensors.Open(path);

        Assert.Equal(Path.GetFullPath(path), file.Path);
        Assert.True(file.Contains("a"));
        Assert.False(file.Contains("A"));
        SafeTensorInfo b = file.Info("b");
        Assert.Equal(("F32", 32L, 56L), (b.DType, b.Begin, b.End));
        Assert.Equal([2L, 3L], b.Shape);
        Assert.Equal(["a", "b"], file.Tensors.Select(t => t.Name));
        var missing = Assert.Throws<KeyNotFoundException>(() => file.Load("nope"));
        Assert.Contains("nope", missing.Message);
        Assert.Contains("info.safetensors", missing.Message);
        Assert.Throws<KeyNotFoundException>(() => file.Info("nope"));
    }

    [Fact]
    public void Load_AfterDispose_Throws()
    {
        string path = _temp.File("disposed.safetensors");
        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["x"] = torch.ones(1) });
        SafeTensorsFile file = SafeTensors.Open(path);

        file.Dispose();

        Assert.Throws<ObjectDisposedException>(() => file.Load("x"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("__metadata__")]
    public void Save_RejectsReservedOrEmptyNames(string name)
    {
        string path = _temp.File("bad-name.safetensors");

        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { [name] = torch.ones(1) }));

        Assert.Empty(_temp.FileNames());
    }

    [Fact]
    public void Save_RejectsNamesThatAreNotValidUtf16()
    {
        string path = _temp.File("surrogate.safetensors");

        var error = Assert.Throws<ArgumentException>(() =>
            SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["bad\ud800"] = torch.ones(1) }));

        Assert.Contains("surrogate", error.Message);
    }

    internal static torch.Tensor RandomBits(Random random, torch.ScalarType dtype, params long[] shape)
    {
        torch.Tensor tensor = torch.empty(shape, dtype);
        var bytes = new byte[tensor.numel() * tensor.ElementSize];
        random.NextBytes(bytes);
        tensor.bytes = bytes;
        return tensor;
    }

    private static torch.Tensor FromBits(torch.ScalarType dtype, ushort[] bits)
    {
        torch.Tensor tensor = torch.empty(bits.Length, dtype);
        tensor.bytes = bits.SelectMany(BitConverter.GetBytes).ToArray();
        return tensor;
    }

    private static void DisposeAll(Dictionary<string, torch.Tensor> tensors)
    {
        foreach (torch.Tensor tensor in tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
