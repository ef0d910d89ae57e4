using System.CommandLine;

namespace SparseDictionary.Cli.Inputs;

/// <summary>The options that name a model and say how to run it: <c>--model</c>, <c>--tokenizer</c>, <c>--device</c>, <c>--dtype</c>.</summary>
internal sealed class ModelOptions
{
    /// <summary>Creates the options.</summary>
    /// <param name="modelRequired">Whether <c>--model</c> must be given (false where a model is one of two inputs).</param>
    public ModelOptions(bool modelRequired = true)
    {
        Model.Required = modelRequired;
        Device.CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return DeviceSpec.Cpu;
            string token = result.Tokens[0].Value;
            DeviceSpec? device = DeviceSpec.TryParse(token);
            if (device is null) result.AddError($"--device: '{token}' is not one of {DeviceSpec.Forms}.");
            return device ?? DeviceSpec.Cpu;
        };
    }

    /// <summary>Gets <c>--model</c>.</summary>
    public Option<string> Model { get; } = new("--model", "-m")
    {
        Description = "The model: a Hugging Face Llama folder (config.json + safetensors) or a llama2.c checkpoint (.bin).",
        HelpName = "path",
    };

    /// <summary>Gets <c>--tokenizer</c>.</summary>
    public Option<string?> Tokenizer { get; } = new("--tokenizer")
    {
        Description = "A SentencePiece tokenizer.model or llama2.c tokenizer.bin; by default tokenizer.model, tokenizer.bin or tok<vocab>.bin beside the model.",
        HelpName = "path",
    };

    /// <summary>Gets <c>--device</c>.</summary>
    public Option<DeviceSpec> Device { get; } = new("--device")
    {
        Description = "Where to run the model.",
        DefaultValueFactory = _ => DeviceSpec.Cpu,
        HelpName = DeviceSpec.Forms,
    };

    /// <summary>Gets <c>--dtype</c>.</summary>
    public Option<string> DType { get; } =
        OptionFactory.OneOf("--dtype", "The element type to run the model in.", DTypeNames.Names, "float32");

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Tokenizer);
        command.Options.Add(Device);
        command.Options.Add(DType);
    }

    /// <summary>Locates the model and reads its configuration; see <see cref="ModelLocator.Locate"/>.</summary>
    public ModelSource Locate(ParseResult parsed) => ModelLocator.Locate(
        parsed.GetRequiredValue(Model), parsed.GetValue(Tokenizer), parsed.GetValue(Device) ?? DeviceSpec.Cpu,
        DTypeNames.Parse(parsed.GetRequiredValue(DType)));
}
