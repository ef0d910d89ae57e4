using System.CommandLine;
using System.Globalization;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges.Steering;
using SparseDictionary.Cli.Inputs;
using SparseDictionary.Cli.Output;
using SparseDictionary.Formats;
using SparseDictionary.Llama;

namespace SparseDictionary.Cli.Commands;

/// <summary>
/// <c>sdict steer</c>: continues a prompt twice with the same seed, as the model would and with SAE latents added or
/// clamped at the SAE's hook point (<see cref="SaeSteering"/>), and prints both side by side.
/// </summary>
internal sealed class SteerCommand : ICliCommand
{
    private readonly ModelOptions _model = new();
    private readonly SaeInput _sae = new();

    private readonly Option<string> _prompt = new("--prompt", "-p")
    {
        Description = "The text to continue (BOS is put first).",
        Required = true,
        HelpName = "text",
    };

    private readonly Option<SteeringLatent[]> _latents = new("--latent", "-l")
    {
        Description = "A latent and its value, as index:value (4:8.0); repeat for several. The value is the scale added (--mode add) or the activation clamped to (--mode clamp).",
        Required = true,
        HelpName = "i:x",
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var latents = new List<SteeringLatent>();
            foreach (var token in result.Tokens)
            {
                SteeringLatent? latent = ParseLatent(token.Value);
                if (latent is null)
                {
                    result.AddError($"--latent: '{token.Value}' is not index:value, such as 12:4.0.");
                    return [];
                }
                latents.Add(latent);
            }
            return [.. latents];
        },
    };

    private readonly Option<string> _mode = OptionFactory.OneOf("--mode", "add: add value × the latent's decoder direction; clamp: set the latent's activation to value.", ["add", "clamp"], "add");

    private readonly Option<int> _maxTokens = OptionFactory.PositiveInt("--max-tokens", "Tokens to generate at most.", 32);

    private readonly Option<double> _temperature = OptionFactory.Number("--temperature", "Sampling temperature; 0 is greedy.", 0);

    private readonly Option<int> _seed = new("--seed")
    {
        Description = "Seed of the sampling (both continuations use it).",
        DefaultValueFactory = _ => 0,
        HelpName = "n",
    };

    /// <inheritdoc />
    public Command Build(CliContext context)
    {
        var command = new Command("steer", "Continue a prompt with and without SAE latents added or clamped, side by side.");
        _sae.AddTo(command);
        _model.AddTo(command);
        foreach (Option option in new Option[] { _prompt, _latents, _mode, _maxTokens, _temperature, _seed }) command.Options.Add(option);
        command.SetAction(parsed => Run(parsed, context));
        return command;
    }

    internal static SteeringLatent? ParseLatent(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return null;
        if (!int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out int latent)) return null;
        if (!double.TryParse(text.AsSpan(colon + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value)) return null;
        return new SteeringLatent(latent, value);
    }

    private int Run(ParseResult parsed, CliContext context)
    {
        ModelSource source = _model.Locate(parsed);
        (string saeFolder, SaeLensConfig config, HookPoint hook) = _sae.Resolve(parsed, source);
        SteeringLatent[] latents = parsed.GetRequiredValue(_latents);
        foreach (SteeringLatent latent in latents)
        {
            if (latent.Latent >= config.DSae)
            {
                throw CliException.Usage($"--latent: {latent.Latent} is out of range; the SAE has {config.DSae} latents (0 to {config.DSae - 1}).");
            }
        }
        SteeringMode mode = parsed.GetRequiredValue(_mode) == "clamp" ? SteeringMode.Clamp : SteeringMode.Add;
        var options = new GenerationOptions
        {
            MaxNewTokens = parsed.GetValue(_maxTokens),
            Temperature = parsed.GetValue(_temperature),
            Seed = parsed.GetValue(_seed),
        };
        string prompt = parsed.GetRequiredValue(_prompt);

        using LoadedModel loaded = source.Load();
        using ISparseAutoencoder sae = SaeLensFolder.Load(saeFolder, loaded.Model.Device);
        SteeringComparison result = SaeSteering.Compare(loaded.Model, loaded.Tokenizer, sae, hook, prompt, latents, mode, options);
        string how = string.Join(", ", latents.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Latent}{(mode == SteeringMode.Add ? " +" : " =")}{l.Value:G4}")));
        context.Output.WriteLine($"prompt: {prompt}");
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(mode == SteeringMode.Add ? "adding" : "clamping")} latent(s) {how} at {hook}; {options.MaxNewTokens} tokens, temperature {options.Temperature:G4}, seed {options.Seed}"));
        context.Output.WriteLine();
        SideBySide.Write(context.Output, "baseline", result.Baseline, "steered", result.Steered);
        return ExitCodes.Success;
    }
}
