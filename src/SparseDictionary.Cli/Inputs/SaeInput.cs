using System.CommandLine;
using SparseDictionary.Formats;
using SparseDictionary.Llama;

namespace SparseDictionary.Cli.Inputs;

/// <summary>
/// The options that name a SAELens SAE and the hook it reads: <c>--sae</c> and <c>--hook</c> (by default the hook in the
/// SAE's <c>cfg.json</c>), checked against the model before any weights are loaded.
/// </summary>
internal sealed class SaeInput
{
    /// <summary>Creates the options.</summary>
    public SaeInput()
    {
        Hook.CustomParser = result =>
        {
            string? value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (!HookPoint.TryParse(value, out _))
            {
                result.AddError($"--hook: '{value}' is not a hook point; expected blocks.<layer>.hook_<resid_pre|attn_out|resid_mid|mlp_out|resid_post>.");
            }
            return value;
        };
    }

    /// <summary>Gets <c>--sae</c>.</summary>
    public Option<string> Sae { get; } = new("--sae", "-s")
    {
        Description = "The SAE: a SAELens folder (cfg.json, sae_weights.safetensors).",
        Required = true,
        HelpName = "folder",
    };

    /// <summary>Gets <c>--hook</c>.</summary>
    public Option<string?> Hook { get; } = new("--hook")
    {
        Description = "The hook point the SAE reads, such as blocks.3.hook_resid_post; by default the one in the SAE's cfg.json.",
        HelpName = "name",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Sae);
        command.Options.Add(Hook);
    }

    /// <summary>Reads the SAE's configuration, resolves the hook and checks both against the model.</summary>
    /// <returns>The SAE folder (full path), its configuration and the hook.</returns>
    /// <exception cref="CliException">The folder is missing, no hook is known, or the SAE does not fit the model.</exception>
    public (string Folder, SaeLensConfig Config, HookPoint Hook) Resolve(ParseResult parsed, ModelSource model)
    {
        string argument = parsed.GetRequiredValue(Sae);
        string folder = Path.GetFullPath(argument);
        if (!Directory.Exists(folder)) throw CliException.NotFound("--sae", argument, "SAE folder");
        SaeLensConfig config = SaeLensFolder.ReadConfig(folder);
        HookPoint hook;
        string option;
        if (parsed.GetValue(Hook) is { } name)
        {
            (hook, option) = (HookPoint.Parse(name), "--hook");
        }
        else
        {
            string? recorded = config.Metadata.HookName;
            if (string.IsNullOrEmpty(recorded))
            {
                throw CliException.Usage($"the SAE's {SaeLensFolder.ConfigFileName} names no hook point (metadata.hook_name); pass --hook.");
            }
            if (!HookPoint.TryParse(recorded, out hook))
            {
                throw CliException.Usage($"the SAE's hook_name '{recorded}' is not a hook point sdict knows; pass --hook.");
            }
            option = $"the SAE's hook_name {recorded}";
        }
        model.CheckLayer(option, hook.Layer);
        if (config.DIn != model.Config.Dim)
        {
            throw CliException.Incompatible(
                $"the SAE's d_in is {config.DIn} ({SaeLensFolder.ConfigFileName}), but the model '{model.Name}' is {model.Config.Dim} wide at {hook}.");
        }
        return (folder, config, hook);
    }
}
