using SparseDictionary.Llama.Corpus;
using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class CorpusSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WikiTextArticles_SplitAtTopLevelHeadings_KeepingSubHeadings()
    {
        string path = _dir.File("wiki.txt");
        File.WriteAllText(path, " \n = Alpha = \n \n First line .\n = = Section = = \n Second line .\n \n = Beta Gamma = \n Only line .\n");
        var docs = new PlainTextSource(path, DocumentSplit.WikiTextArticles).ReadDocuments().ToList();

        Assert.Equal(["Alpha", "Beta Gamma"], docs.Select(d => d.Id));
        Assert.Equal(" First line .\n = = Section = = \n Second line .", docs[0].Text);
        Assert.Equal(" Only line .", docs[1].Text);
        Assert.Equal([2L, 8L], docs.Select(d => d.Line));
        Assert.All(docs, d => Assert.Equal(path, d.SourceFile));
    }

    [Fact]
    public void WikiTextArticles_OnTheSharedCorpus_FindsTheFirstArticle()
    {
        string path = Path.Combine(Fixtures.Corpora, "wikitext2-valid.txt");
        TextDocument first = new PlainTextSource(path, DocumentSplit.WikiTextArticles).ReadDocuments().First();
        Assert.Equal("Homarus gammarus", first.Id);
        Assert.StartsWith(" Homarus gammarus , known as the European lobster", first.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_AndWholeFile()
    {
        string path = _dir.File("lines.txt");
        File.WriteAllText(path, "one\n\ntwo\r\nthree");
        var lines = new PlainTextSource(path, DocumentSplit.Lines).ReadDocuments().ToList();
        Assert.Equal(["lines.txt:1", "lines.txt:3", "lines.txt:4"], lines.Select(d => d.Id));
        Assert.Equal(["one", "two", "three"], lines.Select(d => d.Text));

        TextDocument whole = Assert.Single(new PlainTextSource(path).ReadDocuments());
        Assert.Equal("one\n\ntwo\r\nthree", whole.Text);
        Assert.Equal("lines.txt", whole.Id);
    }

    [Fact]
    public void Directory_ReadsFilesInOrdinalOrder_Recursively()
    {
        Directory.CreateDirectory(_dir.File("sub"));
        File.WriteAllText(_dir.File("b.txt"), "B");
        File.WriteAllText(_dir.File("a.txt"), "A");
        File.WriteAllText(_dir.File("Z.txt"), "Z");
        File.WriteAllText(_dir.File("sub/c.txt"), "C");
        File.WriteAllText(_dir.File("skip.md"), "no");

        var flat = new DirectorySource(_dir.Path).ReadDocuments().ToList();
        Assert.Equal(["Z.txt", "a.txt", "b.txt"], flat.Select(d => d.Id));
        Assert.Equal(["Z", "A", "B"], flat.Select(d => d.Text));

        var deep = new DirectorySource(_dir.Path, "*.txt", recursive: true).ReadDocuments().Select(d => d.Id);
        Assert.Equal(["Z.txt", "a.txt", "b.txt", "sub/c.txt"], deep);
    }

    private const string FeverLines =
        "{\"id\": \"\", \"text\": \"\", \"lines\": \"\"}\n" +
        "{\"id\": \"Nikolaj_Coster-Waldau\", \"text\": \"Nikolaj Coster-Waldau is a Danish actor .\", \"lines\": \"0\\tNikolaj Coster-Waldau is a Danish actor .\\tDanish\\tDenmark\\n1\\t\"}\n" +
        "{\"id\": \"Empty_page\", \"text\": \"\", \"lines\": \"\"}\n" +
        "{\"id\": \"Bj\\u00f6rk\", \"text\": \"Bj\u00f6rk \u2014 \u00e9t\u00e9 \ud83c\udfb5\", \"lines\": \"0\\tBj\u00f6rk\"}\n";

    [Fact]
    public void Jsonl_ReadsFeverWikiPages_SkippingEmptyTexts()
    {
        string path = _dir.File("wiki-001.jsonl");
        File.WriteAllText(path, FeverLines);
        var docs = new JsonlSource(path).ReadDocuments().ToList();

        Assert.Equal(["Nikolaj_Coster-Waldau", "Bj\u00f6rk"], docs.Select(d => d.Id));
        Assert.Equal("Nikolaj Coster-Waldau is a Danish actor .", docs[0].Text);
        Assert.Equal("Bj\u00f6rk \u2014 \u00e9t\u00e9 \ud83c\udfb5", docs[1].Text);
        Assert.Equal([2L, 4L], docs.Select(d => d.Line));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"id\": \"x\"}")]
    [InlineData("{\"id\": \"x\", \"text\": 5}")]
    [InlineData("{\"id\": \"x\", \"text\": \"unterminated}")]
    public void Jsonl_BadLine_ThrowsWithFileAndLine_OrIsSkippedAndCounted(string bad)
    {
        string path = _dir.File("bad.jsonl");
        File.WriteAllText(path, FeverLines + bad + "\n{\"id\": \"after\", \"text\": \"ok\"}\n");

        var error = Assert.Throws<CorpusFormatException>(() => new JsonlSource(path).ReadDocuments().ToList());
        Assert.Contains("bad.jsonl", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 5", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, error.Line);

        var skipping = new JsonlSource(path, onBadLine: BadLinePolicy.Skip);
        var docs = skipping.ReadDocuments().ToList();
        Assert.Equal(["Nikolaj_Coster-Waldau", "Bj\u00f6rk", "after"], docs.Select(d => d.Id));
        Assert.Equal(1, skipping.SkippedLines);
    }

    [Fact]
    public void Jsonl_CrLfLongLinesAcrossBuffers_AndNoFinalNewline()
    {
        string path = _dir.File("crlf.jsonl");
        string big = new('x', 200_000);
        File.WriteAllText(path, "{\"id\": 7, \"text\": \"a\"}\r\n\r\n{\"text\": \"" + big + "\"}\r\n{\"id\": \"last\", \"text\": \"z\"}");
        var docs = new JsonlSource(path).ReadDocuments().ToList();
        Assert.Equal(["7", "crlf.jsonl:3", "last"], docs.Select(d => d.Id));
        Assert.Equal(big, docs[1].Text);
        Assert.Equal([1L, 3L, 4L], docs.Select(d => d.Line));
    }

    [Fact]
    public void Jsonl_InvalidUtf8_IsABadLine()
    {
        string path = _dir.File("bytes.jsonl");
        File.WriteAllBytes(path, [.. "{\"text\": \"ok\"}\n{\"text\": \""u8.ToArray(), 0xFF, 0xFE, .. "\"}\n"u8.ToArray()]);
        var error = Assert.Throws<CorpusFormatException>(() => new JsonlSource(path).ReadDocuments().ToList());
        Assert.Equal(2, error.Line);
        Assert.Contains("bytes.jsonl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WikiTextArticles_CountsTheSharedCorpusArticles()
    {
        string path = Path.Combine(Fixtures.Corpora, "wikitext2-valid.txt");
        var ids = new PlainTextSource(path, DocumentSplit.WikiTextArticles).ReadDocuments().Select(d => d.Id).ToList();
        Assert.Equal(File.ReadLines(path).Count(l => l.StartsWith(" = ", StringComparison.Ordinal) && !l.StartsWith(" = = ", StringComparison.Ordinal)), ids.Count);
        Assert.DoesNotContain(ids, id => id.StartsWith('='));
    }

    [Fact]
    public void Jsonl_TooLongAndTooDeepLines_AreBadLines()
    {
        string path = _dir.File("long.jsonl");
        string deep = "{\"text\": \"d\", \"x\": " + new string('[', 10) + new string(']', 10) + "}";
        File.WriteAllText(path, "{\"text\": \"" + new string('a', 5000) + "\"}\n" + deep + "\n{\"text\": \"short\"}\n");

        var error = Assert.Throws<CorpusFormatException>(() => new JsonlSource(path, maxLineBytes: 1000).ReadDocuments().ToList());
        Assert.Equal(1, error.Line);
        var depthError = Assert.Throws<CorpusFormatException>(() => new JsonlSource(path, maxDepth: 5).ReadDocuments().ToList());
        Assert.Equal(2, depthError.Line);

        var skipping = new JsonlSource(path, onBadLine: BadLinePolicy.Skip, maxLineBytes: 1000, maxDepth: 5);
        Assert.Equal(["short"], skipping.ReadDocuments().Select(d => d.Text));
        Assert.Equal(2, skipping.SkippedLines);
    }
}
