using Xunit;

namespace SparseDictionary.Experiments.Tests;

/// <summary>The README's C# example is samples/ReadmeExample/Program.cs, which the solution build compiles.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ReadmeExample_IsTheCompiledSample()
    {
        string root = Path.GetFullPath(Path.Combine(Llama.Tests.Fixtures.Corpora, "..", ".."));
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        const string Fence = "```csharp\n";
        int start = readme.IndexOf(Fence, StringComparison.Ordinal);
        Assert.True(start >= 0, "The README has no C# example.");
        start += Fence.Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        string example = readme[start..end];
        string sample = File.ReadAllText(Path.Combine(root, "samples", "ReadmeExample", "Program.cs")).ReplaceLineEndings("\n");
        Assert.Equal(sample, example);
    }
}
