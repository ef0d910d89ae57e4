using SparseDictionary.Llama.Corpus;
using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class ContextWindowsTests
{
    private static readonly TextDocument[] Docs = [new("1", "abc", "f", 1), new("2", "de", "f", 2)];

    private static List<ContextWindow> Windows(ContextWindowOptions options) =>
        new ContextWindows(new ToyTokenizer(), options).Enumerate(Docs).ToList();

    [Fact]
    public void Concatenated_WithBosSeparators()
    {
        var windows = Windows(new ContextWindowOptions { ContextLength = 4 });
        // Stream a b c BOS d e BOS, three tokens per window after the window's own BOS.
        Assert.Equal([[1, 3, 4, 5], [1, 1, 6, 7], [1, 1, 2, 2]], windows.Select(w => w.Tokens));
        Assert.Equal([4, 4, 2], windows.Select(w => w.RealLength));
        Assert.Equal([3, 2, 0], windows.Select(w => w.CollectedCount));
        Assert.Equal([true, true, false, false], windows[1].IsBos);
        Assert.Equal([false, false, true, true], Enumerable.Range(0, 4).Select(windows[1].IsCollected));
        Assert.False(windows[2].IsReal(2));

        var dropped = Windows(new ContextWindowOptions { ContextLength = 4, DropLastPartial = true });
        Assert.Equal(2, dropped.Count);
    }

    [Fact]
    public void Concatenated_WithEosSeparators_NoBos()
    {
        var windows = Windows(new ContextWindowOptions { ContextLength = 4, Separator = DocumentSeparator.Eos, PrependBos = false });
        Assert.Equal([[3, 4, 5, 2], [6, 7, 2, 2]], windows.Select(w => w.Tokens));
        Assert.Equal([4, 3], windows.Select(w => w.RealLength));
        Assert.Equal([4, 3], windows.Select(w => w.CollectedCount));
    }

    [Fact]
    public void PerDocument_SplitTruncateAndDrop()
    {
        var split = Windows(new ContextWindowOptions { ContextLength = 3, ConcatenateDocuments = false });
        Assert.Equal([[1, 3, 4], [1, 5, 2], [1, 6, 7]], split.Select(w => w.Tokens));
        Assert.Equal([3, 2, 3], split.Select(w => w.RealLength));
        Assert.Equal([2, 1, 2], split.Select(w => w.CollectedCount));

        var truncated = Windows(new ContextWindowOptions { ContextLength = 3, ConcatenateDocuments = false, LongDocuments = LongDocumentPolicy.Truncate });
        Assert.Equal([[1, 3, 4], [1, 6, 7]], truncated.Select(w => w.Tokens));

        var dropped = Windows(new ContextWindowOptions { ContextLength = 4, ConcatenateDocuments = false, DropLastPartial = true });
        Assert.Equal([[1, 3, 4, 5]], dropped.Select(w => w.Tokens));
    }

    [Fact]
    public void Options_AreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ContextWindows(new ToyTokenizer(), new ContextWindowOptions { ContextLength = 1 }));
    }
}
