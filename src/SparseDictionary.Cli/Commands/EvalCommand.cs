using System.CommandLine;
using SparseDictionary.Autoencoders;
using SparseDictionary.Cli.Inputs;
using SparseDictionary.Cli.Output;
using SparseDictionary.Evaluation;
using SparseDictionary.Formats;
using SparseDictionary.Llama;
using SparseDictionary.Bridges;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict eval</c>: evaluates a SAELens-format SAE on a model's activations over a corpus: reconstruction and sparsity
/// metrics, and the cross-entropy loss recovered when the SAE's reconstruction is spliced into the model.
/// </summary>
internal sealed class EvalCommand : ICliCommand
{
    /// <summary>The default token budget: enough for stable metrics, small enough to run in seconds on small models.</summary>
    public const long DefaultMaxTokens = 16_384;

    private readonly ModelOptions _model = new();
    private readonly CorpusOptions _corpus = new("Evaluate on the first this many tokens of the corpus (BOS and padding are not counted).", DefaultMaxTokens);

    private readonly Option<string> _sae = new("--sae", "-s")
    {
        Description = "The SAE: a SAELens folder (cfg.json, sae_weights.safetensors).",
        Required = true,
        HelpName = "folder",
    };

    private readonly Option<int?> _layer = OptionFactory.Index("--layer",
        "Evaluate at blocks.L.hook_resid_post; by default the hook named in the SAE's cfg.json.");

    private readonly Option<string?> _hook = new("--hook")
    {
        Description = "Evaluate at this hook point, such as blocks.2.hook_mlp_out; by default the one in the SAE's cfg.json.",
        HelpName = "name",
    };

    private readonly Option<string?> _json = new("--json")
    {
        Description = "Also write the metrics to this JSON file.",
        HelpName = "path",
    };

    /// <summary>Creates the command's options.</summary>
    public EvalCommand()
    {
        _hook.CustomParser = result =>
        {
            string? value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (!HookPoint.TryParse(value, out _))
            {
                result.AddError($"--hook: '{value}' is not a hook point; expected blocks.<layer>.hook_<resid_pre|attn_out|resid_mid|mlp_out|resid_post>.");
            }
            return value;
        };
    }

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("eval", "Evaluate a SAELens SAE on a model and corpus: reconstruction, sparsity and CE loss recovered.");
        command.Options.Add(_sae);
        _model.AddTo(command);
        _corpus.AddTo(command);
        command.Options.Add(_layer);
        command.Options.Add(_hook);
        command.Options.Add(_json);
        command.Validators.Add(result =>
        {
            if (result.GetResult(_layer) is not null && result.GetResult(_hook) is not null) result.AddError("Give --layer or --hook, not both.");
        });
        command.SetAction(parsed => Run(parsed, context));
        return command;
    }

    private int Run(ParseResult parsed, CliContext context)
    {
        // Everything that can be checked is checked before the weights are loaded.
        string saeArgument = parsed.GetRequiredValue(_sae);
        string saeFolder = Path.GetFullPath(saeArgument);
        if (!Directory.Exists(saeFolder)) throw CliException.NotFound("--sae", saeArgument, "SAE folder");
        SaeLensConfig config = SaeLensFolder.ReadConfig(saeFolder);
        ModelSource source = _model.Locate(parsed);
        (HookPoint hook, string hookOption) = ResolveHook(parsed, config);
        source.CheckLayer(hookOption, hook.Layer);
        if (config.DIn != source.Config.Dim)
        {
            throw CliException.Incompatible(
                $"the SAE's d_in is {config.DIn} ({SaeLensFolder.ConfigFileName}), but the model '{source.Name}' is {source.Config.Dim} wide at {hook}.");
        }
        int contextLength = parsed.GetValue(_corpus.Context);
        source.CheckContext(contextLength);
        var windows = _corpus.Windows(parsed);
        int batch = parsed.GetValue(_corpus.Batch);
        long? maxTokens = parsed.GetValue(_corpus.MaxTokens);
        string? jsonPath = parsed.GetValue(_json);

        using LoadedModel loaded = source.Load();
        using ISparseAutoencoder sae = SaeLensFolder.Load(saeFolder, loaded.Model.Device);
        context.Detail($"SAE {config.Architecture} d_in={config.DIn} d_sae={config.DSae} {config.DType}; model {source.Path} on {source.Device}, {source.DType}; hook {hook}");

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        long reconstructionTokens;
        using (var progress = context.Progress<long>("reconstruction", maxTokens, "tokens", t => t))
        using (var activations = new ModelActivationSource(loaded.Model, loaded.Tokenizer, _corpus.Open(parsed), hook,
            new ModelActivationSourceOptions { Windows = windows, WindowsPerForward = batch, Device = loaded.Model.Device, DType = source.DType, MaxTokens = maxTokens },
            progress))
        {
            IReadOnlyList<IMetricEvaluator> evaluators = SaeEvaluation.DefaultEvaluators(sae.DSae);
            try
            {
                foreach ((string name, double value) in SaeEvaluation.Evaluate(sae, activations, evaluators, maxTokens: maxTokens)) metrics[name] = value;
            }
            finally
            {
                foreach (IMetricEvaluator evaluator in evaluators) (evaluator as IDisposable)?.Dispose();
            }
            reconstructionTokens = activations.Position;
        }
        if (reconstructionTokens == 0)
        {
            throw new CliException(ExitCodes.InvalidInput, $"--corpus: '{parsed.GetRequiredValue(_corpus.Corpus)}' yielded no tokens.");
        }

        LossRecoveredResult lossRecovered;
        using (var progress = context.Progress<long>("loss recovered", maxTokens, "tokens", t => t))
        {
            lossRecovered = CorpusLossRecovered.Evaluate(loaded.Model, loaded.Tokenizer, sae, hook, _corpus.Open(parsed), windows, batch, maxTokens, progress);
        }
        foreach ((string name, double value) in lossRecovered.ToMetrics()) metrics[name] = value;

        var report = new MetricsReport(saeFolder, source.Path, hook.Name, Path.GetFullPath(parsed.GetRequiredValue(_corpus.Corpus)),
            reconstructionTokens, lossRecovered.ScoredTokens, metrics);
        report.WriteTable(context.Output);
        if (jsonPath is not null)
        {
            report.WriteJson(jsonPath);
            context.Note($"Wrote {jsonPath}.");
        }
        return ExitCodes.Success;
    }

    // --hook, else --layer, else the hook the SAE was trained on, as cfg.json records it.
    private (HookPoint Hook, string Option) ResolveHook(ParseResult parsed, SaeLensConfig config)
    {
        if (parsed.GetValue(_hook) is { } hook) return (HookPoint.Parse(hook), "--hook");
        if (parsed.GetValue(_layer) is int layer) return (new HookPoint(layer, HookSite.ResidualPost), "--layer");
        string? recorded = config.Metadata.HookName;
        if (string.IsNullOrEmpty(recorded))
        {
            throw CliException.Usage($"the SAE's {SaeLensFolder.ConfigFileName} names no hook point (metadata.hook_name); pass --layer or --hook.");
        }
        return HookPoint.TryParse(recorded, out HookPoint point)
            ? (point, $"the SAE's hook_name {recorded}")
            : throw CliException.Usage($"the SAE's hook_name '{recorded}' is not a hook point sdict knows; pass --layer or --hook.");
    }
}
