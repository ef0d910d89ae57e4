namespace SparseDictionary.Plots.Tests;

public class AtomicWriteTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly ChartOptions options = new("t", "x", "y") { Width = 200, Height = 150 };
    private static readonly PlotSeries Series = new("s", [1, 2, 3], [1, 3, 2]);

    public void Dispose() => folder.Dispose();

    [Fact]
    public void SuccessLeavesOnlyThePng()
    {
        Charts.Lines(folder.File("a.png"), options, [Series]);
        Assert.Equal(["a.png"], folder.Entries());
    }

    [Fact]
    public void OverwritesAnExistingFileWhole()
    {
        string path = folder.File("a.png");
        File.WriteAllText(path, new string('x', 1_000_000));
        Charts.Lines(path, options, [Series]);
        Assert.Equal((200, 150), Png.Header(path));
        Assert.True(new FileInfo(path).Length < 1_000_000);
        Assert.Equal(["a.png"], folder.Entries());
    }

    [Fact]
    public void CreatesMissingFolders()
    {
        string path = Path.Combine(folder.Path, "results", "layer 3", "a.png");
        Charts.Histograms(path, options, [new HistogramSeries("h", [0, 1], [2])]);
        Assert.Equal((200, 150), Png.Header(path));
    }

    [Fact]
    public void AFailedRenameLeavesNoTemporaryFile()
    {
        // The target is a folder, so the final rename fails after the temporary file was written.
        string path = folder.File("taken.png");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<Exception>(() => Charts.Lines(path, options, [Series]));
        Assert.Equal(["taken.png"], folder.Entries());
        Assert.Empty(Directory.EnumerateFileSystemEntries(path));
    }
}
