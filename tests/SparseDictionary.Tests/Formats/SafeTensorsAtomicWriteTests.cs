using SparseDictionary.Formats;
using TorchSharp;
using Xunit;

namespace SparseDictionary.Tests.Formats;

public sealed class SafeTensorsAtomicWriteTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Save_LeavesOnlyTheTargetFile_WhenCreatingAndWhenReplacing()
    {
        string path = _temp.File("model.safetensors");

        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["x"] = torch.ones(3) });
        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["y"] = torch.zeros(5) });

        Assert.Equal(["model.safetensors"], _temp.FileNames());
        using SafeTensorsFile file = SafeTensors.Open(path);
        Assert.Equal(["y"], file.Tensors.Select(t => t.Name));
    }

    [Fact]
    public void Save_ThatFails_LeavesTheExistingFileUnchangedAndNoTempFile()
    {
        string path = _temp.File("model.safetensors");
        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["x"] = torch.ones(3) });
        byte[] before = File.ReadAllBytes(path);

        var error = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, torch.Tensor>
        {
            ["a"] = torch.ones(4),
            ["z"] = torch.ones(2, dtype: torch.ScalarType.ComplexFloat32),
        }));

        Assert.Contains("'z'", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], _temp.FileNames());
    }

    [Fact]
    public void Save_ThatFails_CreatesNothingWhenThereWasNoFile()
    {
        string path = _temp.File("model.safetensors");

        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, torch.Tensor>
        {
            ["z"] = torch.ones(2, dtype: torch.ScalarType.ComplexFloat64),
        }));

        Assert.Empty(_temp.FileNames());
    }

    [Fact]
    public void AtomicWrite_FailingAfterPartialOutput_LeavesTheExistingFileUnchangedAndNoTempFile()
    {
        string path = _temp.File("target.bin");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            stream.Flush();
            Assert.Equal(2, _temp.FileNames().Length);
            throw new IOException("disk full");
        }));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["target.bin"], _temp.FileNames());
    }

    [Fact]
    public void Save_ReplacesAFileThatIsOpenForReading()
    {
        string path = _temp.File("model.safetensors");
        SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["x"] = torch.ones(3) });
        using SafeTensorsFile open = SafeTensors.Open(path);

        if (OperatingSystem.IsWindows())
        {
            // Windows cannot rename over a file that has an open handle; the failed save must still clean up.
            Assert.ThrowsAny<Exception>(() => SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["y"] = torch.ones(1) }));
        }
        else
        {
            SafeTensors.Save(path, new Dictionary<string, torch.Tensor> { ["y"] = torch.ones(1) });
            using torch.Tensor x = open.Load("x");
            Assert.Equal([1f, 1f, 1f], x.data<float>().ToArray());
        }
        Assert.Equal(["model.safetensors"], _temp.FileNames());
    }
}
