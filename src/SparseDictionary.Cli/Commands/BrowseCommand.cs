using System.CommandLine;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges.Browser;
using SparseDictionary.Cli.Inputs;
using SparseDictionary.Features;
using SparseDictionary.Formats;
using SparseDictionary.Llama;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict browse</c>: writes the static feature browser of a SAELens SAE (<see cref="FeatureBrowser"/>): per-latent
/// statistics and top-activating contexts over held-out text, logit effects, as HTML that works from <c>file://</c>.
/// </summary>
internal sealed class BrowseCommand : ICliCommand
{
    /// <summary>The default token budget: enough examples for most latents, a minute or two on small models.</summary>
    public const long DefaultMaxTokens = 65_536;

    private readonly ModelOptions _model = new();
    private readonly SaeInput _sae = new();
    private readonly CorpusOptions _corpus = new("Gather the statistics over the first this many tokens of the corpus (BOS and padding are not counted).", DefaultMaxTokens);

    private readonly Option<string> _output = new("--output", "-o")
    {
        Description = "The folder to write the site into (replaced if it exists); open its index.html.",
        Required = true,
        HelpName = "folder",
    };

    private readonly Option<int> _top = OptionFactory.PositiveInt("--top", "Top-activating examples kept per latent.", 20);

    private readonly Option<int> _logitTokens = OptionFactory.PositiveInt("--logit-tokens", "Promoted and suppressed tokens listed per latent.", 10);

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("browse", "Write a static HTML feature browser of a SAELens SAE: top-activating contexts, histograms, logit effects.");
        _sae.AddTo(command);
        _model.AddTo(command);
        _corpus.AddTo(command);
        command.Options.Add(_output);
        command.Options.Add(_top);
        command.Options.Add(_logitTokens);
        command.SetAction(parsed => Run(parsed, context));
        return command;
    }

    private int Run(ParseResult parsed, CliContext context)
    {
        ModelSource source = _model.Locate(parsed);
        (string saeFolder, SaeLensConfig config, HookPoint hook) = _sae.Resolve(parsed, source);
        source.CheckContext(parsed.GetValue(_corpus.Context));
        var text = _corpus.Open(parsed);
        string output = Path.GetFullPath(parsed.GetRequiredValue(_output));
        if (File.Exists(output)) throw new CliException(ExitCodes.IoError, $"--output: '{output}' is a file; give a folder.");
        long? maxTokens = parsed.GetValue(_corpus.MaxTokens);
        var options = new FeatureBrowserOptions
        {
            Windows = _corpus.Windows(parsed),
            WindowsPerForward = parsed.GetValue(_corpus.Batch),
            MaxTokens = maxTokens,
            Statistics = new FeatureStatisticsOptions { TopExamples = parsed.GetValue(_top) },
            LogitTokens = parsed.GetValue(_logitTokens),
            Title = $"{Path.GetFileName(saeFolder)} · {source.Name}",
        };

        using LoadedModel loaded = source.Load();
        using ISparseAutoencoder sae = SaeLensFolder.Load(saeFolder, loaded.Model.Device);
        context.Detail($"SAE {config.Architecture} d_in={config.DIn} d_sae={config.DSae}; model {source.Path} on {source.Device}; hook {hook}");
        FeatureSite site;
        using (var progress = context.Progress<long>("features", maxTokens, "tokens", t => t))
        {
            try
            {
                site = FeatureBrowser.Write(loaded.Model, loaded.Tokenizer, sae, hook, text, output, options, progress: progress);
            }
            catch (ArgumentException e) when (e.ParamName == "windows")
            {
                throw new CliException(ExitCodes.InvalidInput, $"--corpus: '{parsed.GetRequiredValue(_corpus.Corpus)}' yielded no tokens.");
            }
        }
        int alive = Enumerable.Range(0, site.Statistics.DSae).Count(i => site.Statistics.FireCount(i) > 0);
        context.Output.WriteLine($"{site.Statistics.DSae:N0} latents ({alive:N0} fired) over {site.Statistics.TokenCount:N0} tokens at {hook}");
        context.Output.WriteLine(Path.Combine(output, FeatureSiteWriter.IndexFileName));
        return ExitCodes.Success;
    }
}
