using System.Text.RegularExpressions;
using Xunit;

namespace SparseDictionary.Experiments.Tests;

/// <summary>
/// Every C# snippet of docs/*.md is a region of samples/DocsExamples, which the solution build compiles: the region
/// <c>// &lt;docs/NAME.md&gt;</c> … <c>// &lt;/docs/NAME.md&gt;</c>, dedented, equals the snippet character for character.
/// </summary>
public sealed partial class DocsExamplesTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Llama.Tests.Fixtures.Corpora, "..", ".."));

    public static TheoryData<string> DocsWithSnippets() => [.. DocNames()];

    private static string[] DocNames() =>
        [.. Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal)
            .Where(doc => Snippets(File.ReadAllText(doc)).Count > 0).Select(doc => Path.GetFileName(doc)!)];

    [Fact]
    public void TheDocsHaveSnippets_SoTheTheoryBelowRuns()
    {
        Assert.Contains("loss-recovered.md", DocNames());
        Assert.Contains("plots.md", DocNames());
    }

    [Theory]
    [MemberData(nameof(DocsWithSnippets))]
    public void EverySnippetOfTheDoc_IsACompiledRegion_AndEveryRegionIsInTheDoc(string doc)
    {
        List<string> snippets = Snippets(File.ReadAllText(Path.Combine(Root, "docs", doc)));
        List<string> regions = [.. Directory.GetFiles(Path.Combine(Root, "samples", "DocsExamples"), "*.cs")
            .Order(StringComparer.Ordinal)
            .SelectMany(file => Regions(File.ReadAllText(file), doc))];
        Assert.Equal(snippets.Count, regions.Count);
        foreach (string snippet in snippets) Assert.Contains(snippet, regions);
    }

    private static List<string> Snippets(string markdown) =>
        [.. SnippetPattern().Matches(markdown.ReplaceLineEndings("\n")).Select(m => m.Groups[1].Value)];

    private static IEnumerable<string> Regions(string source, string doc)
    {
        string[] lines = source.ReplaceLineEndings("\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != $"// <docs/{doc}>") continue;
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == $"// </docs/{doc}>");
            Assert.True(end > i, $"The region docs/{doc} opened at line {i + 1} is not closed.");
            string[] body = lines[(i + 1)..end];
            int indent = body.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            yield return string.Join("", body.Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()) + "\n"));
            i = end;
        }
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SnippetPattern();
}
