using System.CommandLine;
using System.Globalization;
using SparseDictionary.Activations;
using SparseDictionary.Cli.Inputs;
using SparseDictionary.Cli.Output;
using SparseDictionary.Llama;
using SparseDictionary.Bridges;
using SparseDictionary.Llama.Corpus;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict collect</c>: runs a model over a corpus once and writes the residual stream after each of <c>--layers</c> to
/// an activation cache per layer, <c>OUTPUT/blocks.L.hook_resid_post</c>. An interrupted run resumes where it stopped
/// when run again with the same arguments.
/// </summary>
internal sealed class CollectCommand : ICliCommand
{
    private readonly ModelOptions _model = new();
    private readonly CorpusOptions _corpus = new("Stop after this many tokens per layer (BOS and padding are not collected).");

    private readonly Option<int[]> _layers = new("--layers", "-l")
    {
        Description = "The layers whose output (blocks.L.hook_resid_post) to collect, zero-based: 2,3 or 0-3.",
        Required = true,
        HelpName = "list",
        CustomParser = result =>
        {
            (int[]? layers, string? error) = LayerList.Parse(result.Tokens.Count > 0 ? result.Tokens[0].Value : "");
            if (error is not null) result.AddError($"--layers: {error}");
            return layers ?? [];
        },
    };

    private readonly ForceOption _force = new();

    private readonly Option<string> _output = new("--output", "-o")
    {
        Description = "The folder to write one activation cache per layer into.",
        Required = true,
        HelpName = "folder",
    };

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("collect", "Collect residual-stream activations of a model over a corpus into on-disk caches (resumable).");
        _model.AddTo(command);
        _corpus.AddTo(command);
        command.Options.Add(_layers);
        command.Options.Add(_output);
        command.Options.Add(_force.Option);
        command.SetAction(parsed => Run(parsed, context));
        return command;
    }

    private int Run(ParseResult parsed, CliContext context)
    {
        // Everything that can be checked is checked before the weights are loaded.
        ModelSource source = _model.Locate(parsed);
        int[] layers = parsed.GetRequiredValue(_layers);
        foreach (int layer in layers) source.CheckLayer("--layers", layer);
        int contextLength = parsed.GetValue(_corpus.Context);
        source.CheckContext(contextLength);
        ITextSource text = _corpus.Open(parsed);
        string output = Path.GetFullPath(parsed.GetRequiredValue(_output));
        long? maxTokens = parsed.GetValue(_corpus.MaxTokens);
        string FolderOf(int layer) => Path.Combine(output, new HookPoint(layer, HookSite.ResidualPost).Name);

        if (parsed.GetValue(_force.Option))
        {
            // Collect afresh: the existing caches of these layers, complete or not, go first.
            foreach (int layer in layers.Where(l => Directory.Exists(FolderOf(l)))) Directory.Delete(FolderOf(layer), recursive: true);
        }
        else if (layers.All(l => IsComplete(FolderOf(l))))
        {
            context.Note($"Every cache under '{output}' is already complete; nothing to do (give --force to collect again).");
            return ExitCodes.Success;
        }

        using LoadedModel loaded = source.Load();
        context.Detail($"model {source.Path} ({source.Config.LayerCount} layers, width {source.Config.Dim}) on {source.Device}, {source.DType}");
        var options = new ActivationCollectorOptions
        {
            Source = new ModelActivationSourceOptions
            {
                Windows = _corpus.Windows(parsed),
                WindowsPerForward = parsed.GetValue(_corpus.Batch),
                DType = source.DType,
                MaxTokens = maxTokens,
            },
            Cache = new ActivationCacheWriterOptions { StorageDType = source.DType, ModelName = source.Name },
        };

        ActivationCollectionResult result;
        using (var progress = context.Progress<long>("collect", maxTokens, "tokens", tokens => tokens))
        {
            result = ActivationCollector.Collect(loaded.Model, loaded.Tokenizer, text, layers, FolderOf, options, progress);
        }

        if (result.TotalTokens.Values.All(t => t == 0))
        {
            throw new CliException(ExitCodes.InvalidInput, $"--corpus: '{parsed.GetRequiredValue(_corpus.Corpus)}' yielded no tokens.");
        }
        var table = new TextTable("hook", "tokens", "resumed from", "folder");
        foreach ((HookPoint point, long total) in result.TotalTokens.OrderBy(p => p.Key))
        {
            table.Add(point.Name, total.ToString("N0", CultureInfo.InvariantCulture),
                result.ResumedTokens[point].ToString("N0", CultureInfo.InvariantCulture), Path.GetRelativePath(Environment.CurrentDirectory, FolderOf(point.Layer)));
        }
        table.WriteTo(context.Output);
        return ExitCodes.Success;
    }

    private static bool IsComplete(string folder)
    {
        // The manifest's name is part of the cache format (docs/file-formats.md).
        if (!File.Exists(Path.Combine(folder, "manifest.json"))) return false;
        return ActivationCacheReader.ReadManifest(folder).Complete;
    }
}
