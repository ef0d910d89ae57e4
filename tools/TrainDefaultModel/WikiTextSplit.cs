namespace TrainDefaultModel;

/// <summary>
/// The data split of the default model. WikiText-2 ships only its validation and test splits here, so the model trains
/// on the whole test split and the first articles of the validation split, and holds out the validation split's last
/// <see cref="HeldOutArticles"/> articles (about a tenth of it), which neither the tokenizer nor the model sees.
/// </summary>
internal sealed record WikiTextSplit(IReadOnlyList<string> TrainLines, IReadOnlyList<string> HeldOutLines)
{
    public const int HeldOutArticles = 6;

    public static WikiTextSplit Read(string corporaFolder)
    {
        string[] test = File.ReadAllLines(Path.Combine(corporaFolder, "wikitext2-test.txt"));
        string[] valid = File.ReadAllLines(Path.Combine(corporaFolder, "wikitext2-valid.txt"));
        // Articles start at a top-level heading " = Title = "; subsections have "= =" and deeper.
        int[] articleStarts = valid.Select((line, i) => (line, i)).Where(x => IsArticleHeading(x.line)).Select(x => x.i).ToArray();
        int cut = articleStarts[^HeldOutArticles];
        return new WikiTextSplit(Paragraphs(test.Concat(valid.Take(cut))), Paragraphs(valid.Skip(cut)));
    }

    private static bool IsArticleHeading(string line) =>
        line.StartsWith(" = ", StringComparison.Ordinal) && !line.StartsWith(" = =", StringComparison.Ordinal) && line.EndsWith(" = ", StringComparison.Ordinal);

    // One paragraph or heading per line; WikiText pads each with spaces, which the tokenizer's dummy prefix replaces.
    private static List<string> Paragraphs(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
}
