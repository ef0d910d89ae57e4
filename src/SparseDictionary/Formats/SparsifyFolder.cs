using System.Text.Json;
using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>
/// Loads TopK SAEs trained by EleutherAI's sparsify: a folder (one per hook point) with <c>cfg.json</c> (the
/// <c>SparseCoderConfig</c> plus <c>d_in</c>) and <c>sae.safetensors</c> (<c>encoder.weight [F, d]</c>,
/// <c>encoder.bias [F]</c>, <c>W_dec [F, d]</c>, <c>b_dec [d]</c>).
/// </summary>
/// <remarks>
/// sparsify encodes <c>TopK_k(ReLU(encoder(x − b_dec)))</c> and decodes <c>f·W_dec + b_dec</c>: a
/// <see cref="TopKSae"/> with <c>W_enc = encoder.weightᵀ</c> (selecting before or after the ReLU gives the same features).
/// <c>F</c> is <c>num_latents</c>, or <c>d_in × expansion_factor</c> when that is 0. Rejected, because a TopK SAE cannot
/// express them: <c>activation: "groupmax"</c>, <c>transcode: true</c> (a transcoder, no <c>b_dec</c> shift) and
/// <c>skip_connection: true</c> (<c>W_skip</c>). <c>multi_topk</c> and <c>normalize_decoder</c> only affect training.
/// Other keys are ignored, as sparsify's own loader ignores them.
/// </remarks>
public static class SparsifyFolder
{
    /// <summary>The config file's name.</summary>
    public const string ConfigFileName = "cfg.json";

    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "sae.safetensors";

    /// <summary>Builds the TopK SAE a sparsify folder holds.</summary>
    /// <param name="directory">The folder with <c>cfg.json</c> and <c>sae.safetensors</c>.</param>
    /// <param name="device">Where to place the parameters; the CPU when <see langword="null"/>.</param>
    /// <param name="dtype">The parameters' element type; the stored one when <see langword="null"/>.</param>
    /// <returns>The SAE, owned by the caller.</returns>
    /// <exception cref="SaeFormatException">The folder is not a loadable sparsify folder; the message names the file and key or tensor.</exception>
    public static TopKSae Load(string directory, Device? device = null, ScalarType? dtype = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (dtype is { } requested && requested is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16))
        {
            throw new ArgumentException($"An SAE's dtype must be Float32, Float64, Float16 or BFloat16, not {requested}.", nameof(dtype));
        }
        string folder = Path.GetFullPath(directory);
        if (!Directory.Exists(folder)) throw SaeFormatException.ForFile(folder, "the folder does not exist (or is not a folder).");
        string configPath = Path.Combine(folder, ConfigFileName);
        var (dIn, latents, k) = ReadConfig(configPath);

        string weightsPath = Path.Combine(folder, WeightsFileName);
        using SafeTensorsFile file = Open(weightsPath);
        string[] expected = ["encoder.weight", "encoder.bias", "W_dec", "b_dec"];
        foreach (SafeTensorInfo info in file.Tensors)
        {
            if (!expected.Contains(info.Name))
            {
                throw SaeFormatException.ForTensor(weightsPath, info.Name,
                    info.Name == "W_skip" ? "a skip connection cannot be expressed by a TopK SAE." : $"unexpected tensor; a sparsify SAE has {string.Join(", ", expected)}.");
            }
        }

        using var scope = NewDisposeScope();
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (string name in expected)
        {
            if (!file.Contains(name)) continue;
            try
            {
                weights[name] = file.Load(name);
            }
            catch (SafeTensorsFormatException e)
            {
                throw SaeFormatException.ForTensor(weightsPath, name, e.Message, e);
            }
        }
        var encoder = ForeignWeights.Require(weights, "encoder.weight", [latents, dIn], weightsPath);
        var encoderBias = ForeignWeights.Require(weights, "encoder.bias", [latents], weightsPath);
        var decoder = ForeignWeights.Require(weights, "W_dec", [latents, dIn], weightsPath);
        var decoderBias = ForeignWeights.Require(weights, "b_dec", [dIn], weightsPath);
        if (k > latents) throw SaeFormatException.ForKey(configPath, "k", $"k = {k} exceeds the {latents} latents.");

        var sae = ForeignWeights.Adopt(new TopKSae(dIn, latents, k, device, dtype ?? encoder.dtype));
        try
        {
            ForeignWeights.Set(sae, "W_enc", encoder.t());
            ForeignWeights.Set(sae, "b_enc", encoderBias);
            ForeignWeights.Set(sae, "W_dec", decoder);
            ForeignWeights.Set(sae, "b_dec", decoderBias);
            ForeignWeights.CheckFinite(sae, weightsPath);
            return sae;
        }
        catch
        {
            sae.Dispose();
            throw;
        }
    }

    private static (int DIn, int Latents, int K) ReadConfig(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SaeFormatException.ForFile(path, "the file is missing.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SaeFormatException.ForFile(path, $"the file cannot be read: {e.Message}", e);
        }
        JsonDocument document;
        try
        {
            document = StrictJson.Parse(bytes, 64);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw SaeFormatException.ForFile(path, $"the file is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var config = new JsonObjectReader(document.RootElement, path, SaeFormatException.ForJson);
            int dIn = config.RequireInt("d_in", min: 1);
            // SparseCoderConfig's defaults.
            int k = config.Int("k", 32, min: 1);
            int numLatents = config.Int("num_latents", 0, min: 0);
            int expansion = config.Int("expansion_factor", 32, min: 1);
            long latents = numLatents > 0 ? numLatents : (long)dIn * expansion;
            if (latents > int.MaxValue) throw config.Error("expansion_factor", $"d_in × expansion_factor = {latents} latents is too many.");
            string activation = config.String("activation", "topk");
            if (activation != "topk") throw config.Error("activation", $"'{activation}' is not supported; only 'topk' SAEs load.");
            if (config.Bool("transcode", false)) throw config.Error("transcode", "transcoders (which predict another module's output) are not SAEs this library loads.");
            if (config.Bool("skip_connection", false)) throw config.Error("skip_connection", "a skip connection cannot be expressed by a TopK SAE.");
            return (dIn, (int)latents, k);
        }
    }

    private static SafeTensorsFile Open(string path)
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
}
