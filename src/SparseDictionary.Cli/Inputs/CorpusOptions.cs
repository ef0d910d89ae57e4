using System.CommandLine;
using SparseDictionary.Llama.Corpus;

namespace SparseDictionary.Cli.Inputs;

/// <summary>
/// The options that name a corpus and say how to cut it into model inputs: <c>--corpus</c>, <c>--format</c>,
/// <c>--text-field</c>, <c>--context</c>, <c>--batch</c>, <c>--max-tokens</c>.
/// </summary>
internal sealed class CorpusOptions
{
    /// <summary>Creates the options.</summary>
    /// <param name="maxTokensDescription">What <c>--max-tokens</c> bounds, for help.</param>
    /// <param name="defaultMaxTokens">The default of <c>--max-tokens</c>; none when <see langword="null"/>.</param>
    /// <param name="corpusRequired">Whether <c>--corpus</c> must be given (false where a corpus is one of two inputs).</param>
    /// <param name="batchName">
    /// The name of the windows-per-forward option: <c>--batch</c>, unless the command already uses that name (as
    /// <c>train</c> does for tokens per step).
    /// </param>
    public CorpusOptions(string maxTokensDescription, long? defaultMaxTokens = null, bool corpusRequired = true, string batchName = "--batch")
    {
        Batch = OptionFactory.PositiveInt(batchName, "Context windows per forward pass.", 8);
        Corpus.Required = corpusRequired;
        MaxTokens = OptionFactory.TokenCount("--max-tokens", maxTokensDescription, defaultMaxTokens);
    }

    /// <summary>Gets <c>--corpus</c>.</summary>
    public Option<string> Corpus { get; } = new("--corpus", "-c")
    {
        Description = "The text: a .txt file, a .jsonl file (one JSON object per line), or a folder of either.",
        HelpName = "path",
    };

    /// <summary>Gets <c>--format</c>.</summary>
    public Option<string> Format { get; } = OptionFactory.OneOf("--format",
        "How to read the corpus: auto (by extension; a folder by the files it holds), text (a file is a document), " +
        "lines (a line is a document), wikitext (WikiText articles), jsonl.", CorpusOpener.Formats, "auto");

    /// <summary>Gets <c>--text-field</c>.</summary>
    public Option<string> TextField { get; } = new("--text-field")
    {
        Description = "The JSON property holding each document's text (JSONL only), such as text for the FEVER wiki-pages.",
        DefaultValueFactory = _ => "text",
        HelpName = "name",
    };

    /// <summary>Gets <c>--context</c>.</summary>
    public Option<int> Context { get; } = OptionFactory.PositiveInt("--context", "Tokens per context window, BOS included.", 128);

    /// <summary>Gets <c>--batch</c> (or the name given to the constructor).</summary>
    public Option<int> Batch { get; }

    /// <summary>Gets <c>--max-tokens</c>.</summary>
    public Option<long?> MaxTokens { get; }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { Corpus, Format, TextField, Context, Batch, MaxTokens })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Opens the corpus; see <see cref="CorpusOpener.Open"/>.</summary>
    public ITextSource Open(ParseResult parsed) => CorpusOpener.Open(
        parsed.GetRequiredValue(Corpus), parsed.GetRequiredValue(Format), parsed.GetRequiredValue(TextField),
        OptionFactory.WasGiven(parsed, TextField));

    /// <summary>How documents become windows: <c>--context</c> tokens, documents concatenated, BOS first.</summary>
    public ContextWindowOptions Windows(ParseResult parsed) => new() { ContextLength = parsed.GetValue(Context) };
}
