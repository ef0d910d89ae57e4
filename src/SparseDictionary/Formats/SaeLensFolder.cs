using System.Text.Json;
using SparseDictionary.Autoencoders;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>
/// Reads and writes SAE folders in SAELens's format (v6): <c>cfg.json</c>, <c>sae_weights.safetensors</c> and, optionally,
/// <c>sparsity.safetensors</c>, so SAEs move between this library and SAELens's <c>SAE.load_from_disk</c> /
/// <c>save_model</c>.
/// </summary>
/// <remarks>
/// <para>
/// The weights file holds the SAE's parameters under their SAELens names and orientation (standard: <c>W_enc [d_in,
/// d_sae]</c>, <c>b_enc [d_sae]</c>, <c>W_dec [d_sae, d_in]</c>, <c>b_dec [d_in]</c>; gated: <c>W_enc</c>,
/// <c>b_gate</c>, <c>b_mag</c>, <c>r_mag</c>, <c>W_dec</c>, <c>b_dec</c>) in the SAE's dtype. The sparsity file holds one
/// tensor, <c>sparsity [d_sae]</c>, of each latent's <c>log10(firing frequency + 1e-10)</c>, as SAELens's trainer writes it
/// (see <see cref="Evaluation.FiringFrequencyHistogram.Log10Frequencies"/>).
/// </para>
/// <para>
/// Loading also accepts the pre-6.0 flat <c>cfg.json</c> (model and hook keys at the top level), converted as SAELens
/// converts it, and honours <c>apply_b_dec_to_input = false</c> by folding <c>b_dec</c> into the encoder biases.
/// Everything a folder can get wrong is reported as a <see cref="SaeFormatException"/>.
/// </para>
/// </remarks>
public static class SaeLensFolder
{
    /// <summary>The config file's name (SAELens <c>SAE_CFG_FILENAME</c>).</summary>
    public const string ConfigFileName = "cfg.json";

    /// <summary>The weights file's name (SAELens <c>SAE_WEIGHTS_FILENAME</c>).</summary>
    public const string WeightsFileName = "sae_weights.safetensors";

    /// <summary>The firing-frequency file's name (SAELens <c>SPARSITY_FILENAME</c>).</summary>
    public const string SparsityFileName = "sparsity.safetensors";

    /// <summary>The one tensor of the sparsity file.</summary>
    public const string SparsityTensorName = "sparsity";

    /// <summary>
    /// The <c>metadata.sae_lens_version</c> written unless the metadata carries one of 6.0.0 or later: the first SAELens
    /// release of the layout written here.
    /// </summary>
    public const string FormatVersion = "6.0.0";

    /// <summary>
    /// Writes <paramref name="sae"/> as a SAELens folder at <paramref name="directory"/>: <c>cfg.json</c>,
    /// <c>sae_weights.safetensors</c>, and <c>sparsity.safetensors</c> when <paramref name="log10FeatureSparsity"/> is given.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The config says <c>apply_b_dec_to_input: true</c> and <c>normalize_activations: "none"</c> (any input scaling must
    /// already be folded into the weights, see <see cref="ISparseAutoencoder.FoldInputScale"/>), and <c>device: "cpu"</c>
    /// since the folder does not depend on where the SAE lived.
    /// </para>
    /// <para>
    /// The save is atomic as a folder: everything is written and flushed into a hidden sibling folder, which is then
    /// renamed into place. An existing folder is first renamed aside and deleted only once the new one is in place, so a
    /// failure leaves it as it was and a crash leaves at <paramref name="directory"/> either the old folder, the complete
    /// new one, or nothing — never a partial folder. To guard against mistakes, an existing folder is replaced only if it
    /// is empty or already looks like an SAE folder (holds <c>cfg.json</c> or <c>sae_weights.safetensors</c>).
    /// </para>
    /// </remarks>
    /// <param name="sae">The SAE to save (<c>standard</c> or <c>gated</c>; float32, float64, float16 or bfloat16).</param>
    /// <param name="directory">The folder to create or replace; its parent is created if needed.</param>
    /// <param name="metadata">What to record under <c>metadata</c>: model, hook, dataset and so on.</param>
    /// <param name="log10FeatureSparsity">
    /// Optional per-latent <c>log10(firing frequency + 1e-10)</c>, <see cref="ISparseAutoencoder.DSae"/> finite values,
    /// stored as float32 like SAELens's.
    /// </param>
    /// <param name="reshapeActivations">
    /// <c>reshape_activations</c>: <c>none</c>, or <c>hook_z</c> for an SAE on flattened attention outputs that SAELens
    /// should reshape.
    /// </param>
    /// <exception cref="ArgumentException">
    /// The architecture, dtype or <paramref name="reshapeActivations"/> is not supported, a weight is not finite,
    /// <paramref name="log10FeatureSparsity"/> has the wrong length or a non-finite value, or the metadata is inconsistent.
    /// </exception>
    /// <exception cref="IOException">
    /// <paramref name="directory"/> is a file or a non-empty folder that does not look like an SAE folder, or writing failed.
    /// </exception>
    public static void Save(
        ISparseAutoencoder sae,
        string directory,
        SaeLensMetadata? metadata = null,
        double[]? log10FeatureSparsity = null,
        string reshapeActivations = "none")
    {
        ArgumentNullException.ThrowIfNull(sae);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(reshapeActivations);

        // Everything that can be checked is checked before the disk is touched.
        if (!SaeArchitectures.TryGet(sae.Architecture, out SaeArchitecture? architecture))
        {
            throw new ArgumentException($"Cannot save a '{sae.Architecture}' SAE: supported architectures are {string.Join(", ", SaeArchitectures.Names)}.", nameof(sae));
        }
        SaeLensMapping writer = architecture.SaeLens;
        if (!SaeLensDTypes.TryName(sae.DType, out string? dtypeName))
        {
            throw new ArgumentException($"Cannot save an SAE of dtype {sae.DType}: SAELens knows float32, float64, float16 and bfloat16.", nameof(sae));
        }
        if (!SaeLensConfigJson.ReshapeActivationsValues.Contains(reshapeActivations, StringComparer.Ordinal))
        {
            throw new ArgumentException($"reshape_activations must be one of {string.Join(", ", SaeLensConfigJson.ReshapeActivationsValues)}.", nameof(reshapeActivations));
        }
        if (log10FeatureSparsity is not null)
        {
            if (log10FeatureSparsity.Length != sae.DSae)
            {
                throw new ArgumentException($"Expected {sae.DSae} log10 feature sparsities (one per latent), got {log10FeatureSparsity.Length}.", nameof(log10FeatureSparsity));
            }
            int bad = Array.FindIndex(log10FeatureSparsity, v => !double.IsFinite(v));
            if (bad >= 0)
            {
                throw new ArgumentException($"log10 feature sparsity of latent {bad} is {log10FeatureSparsity[bad]}; values must be finite.", nameof(log10FeatureSparsity));
            }
        }

        metadata ??= new SaeLensMetadata();
        string version = metadata.SaeLensVersion is { } v && SaeLensConfigJson.IsAtLeastV6(v) == true ? v : FormatVersion;
        byte[] configJson = SaeLensConfigJson.Write(new SaeLensConfig
        {
            Architecture = writer.SavedArchitecture,
            DIn = sae.DIn,
            DSae = sae.DSae,
            DType = dtypeName,
            Device = "cpu",
            ApplyBDecToInput = true,
            NormalizeActivations = "none",
            ReshapeActivations = reshapeActivations,
            Metadata = metadata with { SaeLensVersion = version },
            Extra = writer.ConfigExtra(sae),
        });

        using var scope = NewDisposeScope();
        Dictionary<string, Tensor> weights = writer.Export(sae);
        foreach ((string tensorName, Tensor value) in weights)
        {
            if (!IsFinite(value))
            {
                throw new ArgumentException($"Tensor '{tensorName}' holds NaN or infinite values; such an SAE could not be loaded again.", nameof(sae));
            }
        }
        Tensor? sparsity = log10FeatureSparsity is null
            ? null
            : tensor(log10FeatureSparsity.Select(x => (float)x).ToArray(), dtype: ScalarType.Float32);

        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        CheckReplaceable(target);
        AtomicDirectory.Write(target, temp =>
        {
            AtomicFile.Write(Path.Combine(temp, ConfigFileName), stream => stream.Write(configJson));
            SafeTensors.Save(Path.Combine(temp, WeightsFileName), weights);
            if (sparsity is not null)
            {
                SafeTensors.Save(Path.Combine(temp, SparsityFileName), new Dictionary<string, Tensor> { [SparsityTensorName] = sparsity });
            }
        });
    }

    /// <summary>Reads and validates <c>cfg.json</c>, converting a pre-6.0 flat config to the v6 shape.</summary>
    /// <param name="directory">The SAE folder.</param>
    /// <returns>The config. Its architecture may be one this library cannot load (see <see cref="Load"/>).</returns>
    /// <exception cref="SaeFormatException">
    /// The folder or <c>cfg.json</c> is missing, the file is not JSON, or a key is missing or ill-typed.
    /// </exception>
    public static SaeLensConfig ReadConfig(string directory)
    {
        string folder = ExistingFolder(directory);
        return SaeLensConfigJson.Read(Path.Combine(folder, ConfigFileName));
    }

    /// <summary>Builds the SAE a SAELens folder describes, with its weights.</summary>
    /// <remarks>
    /// <para>
    /// Weights are converted to <paramref name="dtype"/>, or to the config's dtype (as SAELens does). A folder saved with
    /// <c>apply_b_dec_to_input = false</c> is loaded with <c>b_dec</c> folded into the encoder biases, which gives the same
    /// features; a legacy <c>scaling_factor</c> / <c>finetuning_scaling_factor</c> tensor is folded into <c>W_dec</c>'s rows.
    /// </para>
    /// <para>
    /// <c>normalize_activations</c> <c>none</c> is loaded as is, and so is <c>expected_average_only_in</c>: SAELens applies no
    /// run-time normalisation for it either (its scaling factor is not part of the folder; SAELens folds it in when training
    /// ends). <c>constant_norm_rescale</c> and <c>layer_norm</c> normalise each input by its own norm or statistics, which no
    /// weights can express, so they are rejected.
    /// </para>
    /// </remarks>
    /// <param name="directory">The SAE folder.</param>
    /// <param name="device">Where to place the parameters; the CPU when <see langword="null"/>.</param>
    /// <param name="dtype">The parameters' element type; the config's <c>dtype</c> when <see langword="null"/>.</param>
    /// <returns>An SAE of the architecture the config names (see <see cref="SaeArchitectures"/>), owned by the caller.</returns>
    /// <exception cref="SaeFormatException">The folder is not a loadable SAELens folder; the message names the file and key or tensor.</exception>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not float32, float64, float16 or bfloat16.</exception>
    public static ISparseAutoencoder Load(string directory, Device? device = null, ScalarType? dtype = null)
    {
        if (dtype is { } requested && !SaeLensDTypes.TryName(requested, out _))
        {
            throw new ArgumentException($"An SAE's dtype must be Float32, Float64, Float16 or BFloat16, not {requested}.", nameof(dtype));
        }
        string folder = ExistingFolder(directory);
        string configPath = Path.Combine(folder, ConfigFileName);
        SaeLensConfig config = SaeLensConfigJson.Read(configPath);
        SaeLensMapping architecture = CheckLoadable(config, configPath);
        SaeLensDTypes.TryParse(config.DType, out ScalarType configType);
        ScalarType targetType = dtype ?? configType;

        string weightsPath = Path.Combine(folder, WeightsFileName);
        using SafeTensorsFile file = OpenTensors(weightsPath);
        // Nothing is allocated for sizes the weights do not back: every architecture stores a [d_sae, d_in] decoder.
        long decoder = (long)config.DIn * config.DSae;
        if (!file.Tensors.Any(t => t.Shape.Length == 2 && t.Shape[0] * t.Shape[1] == decoder))
        {
            throw SaeFormatException.ForFile(configPath,
                $"d_in = {config.DIn} and d_sae = {config.DSae} describe a {config.DSae} × {config.DIn} decoder, but {WeightsFileName} holds no tensor of that size.");
        }
        ISparseAutoencoder sae = architecture.Create!(config, configPath, device ?? CPU, targetType);
        try
        {
            SaeLensMapping writer = SaeArchitectures.Of(sae).SaeLens;
            Dictionary<string, long[]> expected = ExpectedTensors(writer, sae);
            string? scalingName = CheckTensors(file, expected, config);
            if (config.ApplyBDecToInput && scalingName is null && !architecture.NeedsRewrite(config, configPath))
            {
                foreach (string name in expected.Keys)
                {
                    using Tensor stored = LoadFinite(file, name);
                    architecture.Import(sae, name, stored);
                }
            }
            else
            {
                LoadFolded(file, sae, expected.Keys, config, architecture, scalingName, configPath);
            }
            using var scope = NewDisposeScope();
            foreach ((string name, Tensor value) in writer.Export(sae))
            {
                if (!IsFinite(value))
                {
                    throw SaeFormatException.ForTensor(weightsPath, name, $"the values are finite in the file but not once converted to {targetType}.");
                }
            }
            return sae;
        }
        catch
        {
            sae.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads <c>sparsity.safetensors</c>: each latent's <c>log10(firing frequency + 1e-10)</c> as SAELens's trainer
    /// recorded it, or <see langword="null"/> when the folder has no such file.
    /// </summary>
    /// <param name="directory">The SAE folder.</param>
    /// <returns><c>d_sae</c> values, or <see langword="null"/>.</returns>
    /// <exception cref="SaeFormatException">
    /// The folder or its config is invalid, or the file lacks a finite <c>sparsity</c> tensor of shape <c>[d_sae]</c>.
    /// </exception>
    public static double[]? ReadLog10FeatureSparsity(string directory)
    {
        SaeLensConfig config = ReadConfig(directory);
        string path = Path.Combine(Path.GetFullPath(directory), SparsityFileName);
        if (!File.Exists(path)) return null;
        using SafeTensorsFile file = OpenTensors(path);
        if (!file.Contains(SparsityTensorName))
        {
            throw SaeFormatException.ForTensor(path, SparsityTensorName, "the tensor is missing.");
        }
        CheckTensor(file, SparsityTensorName, [config.DSae], config);
        using Tensor stored = LoadFinite(file, SparsityTensorName);
        using Tensor values = stored.to(ScalarType.Float64);
        return values.data<double>().ToArray();
    }

    /// <summary>The <c>architecture</c> values SAELens folders this library loads may name.</summary>
    internal static IEnumerable<string> LoadableNames => SaeArchitectures.All.Where(a => a.SaeLens.Create is not null).Select(a => a.Name);

    private static SaeLensMapping CheckLoadable(SaeLensConfig config, string configPath)
    {
        if (SaeArchitectures.All.FirstOrDefault(a => a.Name == config.Architecture && a.SaeLens.Create is not null) is not { } entry)
        {
            throw SaeFormatException.ForKey(configPath, "architecture",
                $"unknown architecture '{config.Architecture}'; this library loads {string.Join(", ", LoadableNames)}.");
        }
        SaeLensMapping architecture = entry.SaeLens;
        if (config.NormalizeActivations is not ("none" or "expected_average_only_in"))
        {
            throw SaeFormatException.ForKey(configPath, "normalize_activations",
                $"'{config.NormalizeActivations}' rescales each input by its own statistics at run time, which the weights cannot express; this library loads only 'none' (and 'expected_average_only_in', which SAELens also runs as 'none').");
        }
        // Pre-6.0 files name their activation function (activation_fn_str, renamed activation_fn): ReLU, or topk for a
        // TopK SAE (which the legacy reader already turned into the topk architecture).
        string expectedActivation = architecture.LegacyActivation;
        if (config.Extra.TryGetValue("activation_fn", out JsonElement activation)
            && activation.ValueKind != JsonValueKind.Null
            && !(activation.ValueKind == JsonValueKind.String && activation.GetString() is { } name && (name == "relu" || name == expectedActivation)))
        {
            throw SaeFormatException.ForKey(configPath, "activation_fn",
                $"the activation function {StrictJson.Describe(activation)} is not supported; the {config.Architecture} architecture uses {expectedActivation}.");
        }
        return architecture;
    }

    // Checks names, shapes and dtypes of every tensor before any is read; returns the legacy scaling tensor's name, if any.
    private static string? CheckTensors(SafeTensorsFile file, IReadOnlyDictionary<string, long[]> parameters, SaeLensConfig config)
    {
        string expectedNames = string.Join(", ", parameters.Keys);
        foreach ((string name, long[] shape) in parameters)
        {
            if (!file.Contains(name))
            {
                throw SaeFormatException.ForTensor(file.Path, name, $"the tensor is missing; a {config.Architecture} SAE has {expectedNames}.");
            }
            CheckTensor(file, name, shape, config);
        }
        string? scalingName = null;
        foreach (SafeTensorInfo info in file.Tensors)
        {
            if (parameters.ContainsKey(info.Name)) continue;
            if (info.Name is "scaling_factor" or "finetuning_scaling_factor" && scalingName is null)
            {
                // Pre-6.0 SAEs multiplied features by this [d_sae] vector before decoding.
                CheckTensor(file, info.Name, [config.DSae], config);
                scalingName = info.Name;
                continue;
            }
            throw SaeFormatException.ForTensor(file.Path, info.Name, $"unexpected tensor; a {config.Architecture} SAE has only {expectedNames}.");
        }
        return scalingName;
    }

    // The SAELens tensors of an SAE of this architecture, by name, with their shapes.
    private static Dictionary<string, long[]> ExpectedTensors(SaeLensMapping writer, ISparseAutoencoder sae)
    {
        using var scope = NewDisposeScope();
        return writer.Export(sae).ToDictionary(t => t.Key, t => t.Value.shape, StringComparer.Ordinal);
    }

    private static void CheckTensor(SafeTensorsFile file, string name, long[] expectedShape, SaeLensConfig config)
    {
        SafeTensorInfo info = file.Info(name);
        if (!info.Shape.SequenceEqual(expectedShape))
        {
            throw SaeFormatException.ForTensor(file.Path, name,
                $"the shape is [{string.Join(", ", info.Shape)}]; expected [{string.Join(", ", expectedShape)}] for d_in = {config.DIn}, d_sae = {config.DSae}.");
        }
        if (info.DType is not ("F64" or "F32" or "F16" or "BF16"))
        {
            throw SaeFormatException.ForTensor(file.Path, name, $"the dtype is {info.DType}; expected a floating-point dtype (F64, F32, F16 or BF16).");
        }
    }

    // The slow path: weights in float64 on the CPU, rewritten, then copied into the parameters.
    private static void LoadFolded(
        SafeTensorsFile file,
        ISparseAutoencoder sae,
        IEnumerable<string> names,
        SaeLensConfig config,
        SaeLensMapping architecture,
        string? scalingName,
        string configPath)
    {
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (string name in names)
            {
                using Tensor stored = LoadFinite(file, name);
                weights.Add(name, stored.to(ScalarType.Float64));
            }
            if (scalingName is not null)
            {
                using Tensor stored = LoadFinite(file, scalingName);
                using Tensor scale = stored.to(ScalarType.Float64);
                if (!scale.eq(1).all().item<bool>())
                {
                    // read_sae_components_from_disk: a scaling factor other than ones must be declared.
                    bool declared = config.Extra.TryGetValue("finetuning_scaling_factor", out JsonElement flag) && flag.ValueKind == JsonValueKind.True;
                    if (!declared)
                    {
                        throw SaeFormatException.ForKey(configPath, "finetuning_scaling_factor",
                            $"the weights hold a '{scalingName}' other than ones but the config does not set finetuning_scaling_factor to true.");
                    }
                    // (f ⊙ s)·W_dec = f·(diag(s)·W_dec): the scale multiplies W_dec's rows.
                    Tensor scaled = weights["W_dec"] * scale.unsqueeze(1);
                    weights["W_dec"].Dispose();
                    weights["W_dec"] = scaled;
                }
            }
            if (!config.ApplyBDecToInput)
            {
                architecture.FoldDecoderBiasIntoEncoder(weights);
            }
            if (architecture.NeedsRewrite(config, configPath))
            {
                architecture.Rewrite!(weights);
            }
            foreach ((string name, Tensor value) in weights)
            {
                architecture.Import(sae, name, value);
            }
        }
        finally
        {
            foreach (Tensor t in weights.Values) t.Dispose();
        }
    }

    private static Tensor LoadFinite(SafeTensorsFile file, string name)
    {
        Tensor stored;
        try
        {
            stored = file.Load(name);
        }
        catch (SafeTensorsFormatException e)
        {
            throw SaeFormatException.ForTensor(file.Path, name, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SaeFormatException.ForTensor(file.Path, name, $"the tensor cannot be read: {e.Message}", e);
        }
        if (!IsFinite(stored))
        {
            stored.Dispose();
            throw SaeFormatException.ForTensor(file.Path, name, "the tensor holds NaN or infinite values.");
        }
        return stored;
    }

    private static SafeTensorsFile OpenTensors(string path)
    {
        try
        {
            return SafeTensors.Open(path);
        }
        catch (SafeTensorsFormatException e)
        {
            throw SaeFormatException.ForFile(path, e.Message, e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SaeFormatException.ForFile(path, "the file is missing.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SaeFormatException.ForFile(path, $"the file cannot be read: {e.Message}", e);
        }
    }

    private static bool IsFinite(Tensor t)
    {
        using var scope = NewDisposeScope();
        return isfinite(t).all().item<bool>();
    }

    private static string ExistingFolder(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string folder = Path.GetFullPath(directory);
        return Directory.Exists(folder)
            ? folder
            : throw SaeFormatException.ForFile(folder, "the folder does not exist (or is not a folder).");
    }

    private static void CheckReplaceable(string target)
    {
        if (File.Exists(target))
        {
            throw new IOException($"Cannot save an SAE folder at '{target}': a file of that name exists.");
        }
        if (Directory.Exists(target)
            && Directory.EnumerateFileSystemEntries(target).Any()
            && !File.Exists(Path.Combine(target, ConfigFileName))
            && !File.Exists(Path.Combine(target, WeightsFileName)))
        {
            throw new IOException(
                $"Cannot save an SAE folder at '{target}': the folder exists, is not empty and holds neither {ConfigFileName} nor {WeightsFileName}, so replacing it could destroy unrelated files.");
        }
    }
}
