using SparseDictionary.Formats;
using TorchSharp;
using Xunit;

namespace SparseDictionary.Tests.Formats;

/// <summary>Exercises the sliced copies that tensors over 2 GB need, with slices small enough to test cheaply.</summary>
public sealed class TensorBytesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(1)]   // smaller than an element: one element per slice
    [InlineData(12)]  // three elements per slice, the last slice partial
    [InlineData(40)]  // exactly one slice
    public void WriteThenRead_InSlices_CopiesEveryByte(long sliceBytes)
    {
        using torch.Tensor source = torch.arange(10, dtype: torch.ScalarType.Float32).reshape(2, 5);
        string path = _temp.File("slices.bin");
        using (var stream = File.Create(path))
        {
            stream.Write([0xAA, 0xBB]);
            TensorBytes.Write(stream, source, sliceBytes);
        }

        using torch.Tensor target = torch.empty(new long[] { 2, 5 }, torch.ScalarType.Float32);
        using var file = File.OpenHandle(path);
        long read = TensorBytes.Read(file, 2, target, sliceBytes);

        Assert.Equal(40, read);
        Assert.Equal(source.bytes.ToArray(), File.ReadAllBytes(path)[2..]);
        Assert.Equal(source.data<float>().ToArray(), target.data<float>().ToArray());
    }

    [Fact]
    public void Read_StopsAtTheEndOfTheFile()
    {
        string path = _temp.File("short.bin");
        File.WriteAllBytes(path, new byte[10]);
        using torch.Tensor target = torch.empty(4, torch.ScalarType.Float32);
        using var file = File.OpenHandle(path);

        Assert.Equal(10, TensorBytes.Read(file, 0, target, sliceBytes: 8));
    }
}
