namespace SparseDictionary.Llama.Corpus;

/// <summary>
/// The data split of the embedded default model. WikiText-2 ships only its validation and test splits here, so the model
/// trains on the whole test split and the first articles of the validation split, and holds out the validation split's
/// last <see cref="HeldOutArticles"/> articles (about a tenth of it), which neither the tokenizer nor the model sees.
/// The seed experiment trains SAEs on activations of the training part and scores them on the held-out part.
/// </summary>
/// <param name="TrainLines">Training paragraphs and headings, one per entry, trimmed.</param>
/// <param name="HeldOutLines">Held-out paragraphs and headings.</param>
public sealed record WikiTextSplit(IReadOnlyList<string> TrainLines, IReadOnlyList<string> HeldOutLines)
{
    /// <summary>The test split's file name in a corpora folder.</summary>
    public const string TestFileName = "wikitext2-test.txt";

    /// <summary>The validation split's file name in a corpora folder.</summary>
    public const string ValidationFileName = "wikitext2-valid.txt";

    /// <summary>Number of articles at the end of the validation split that are held out.</summary>
    public const int HeldOutArticles = 6;

    /// <summary>Reads the split from a folder holding <see cref="TestFileName"/> and <see cref="ValidationFileName"/>.</summary>
    /// <exception cref="FileNotFoundException">A split file is missing.</exception>
    /// <exception cref="CorpusFormatException">The validation split has fewer than <see cref="HeldOutArticles"/> + 1 articles.</exception>
    public static WikiTextSplit Read(string corporaFolder)
    {
        string testPath = Path.Combine(corporaFolder, TestFileName);
        string validPath = Path.Combine(corporaFolder, ValidationFileName);
        foreach (string path in new[] { testPath, validPath })
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"The WikiText-2 split file '{path}' does not exist.", path);
        }
        string[] test = File.ReadAllLines(testPath);
        string[] valid = File.ReadAllLines(validPath);
        int[] articleStarts = valid.Select((line, i) => (line, i)).Where(x => WikiTextHeadings.TopLevelTitle(x.line) is not null).Select(x => x.i).ToArray();
        if (articleStarts.Length <= HeldOutArticles)
        {
            throw new CorpusFormatException(validPath, 0, $"expected more than {HeldOutArticles} articles (top-level ' = Title = ' headings), found {articleStarts.Length}");
        }
        int cut = articleStarts[^HeldOutArticles];
        return new WikiTextSplit(Paragraphs(test.Concat(valid.Take(cut))), Paragraphs(valid.Skip(cut)));
    }

    /// <summary>The training paragraphs as a text source, one document each.</summary>
    public ITextSource TrainSource => new InMemoryTextSource(TrainLines, "wikitext2-train");

    /// <summary>The held-out paragraphs as a text source, one document each.</summary>
    public ITextSource HeldOutSource => new InMemoryTextSource(HeldOutLines, "wikitext2-held-out");

    // One paragraph or heading per line; WikiText pads each with spaces, which the tokenizer's dummy prefix replaces.
    private static List<string> Paragraphs(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
}
