using System.Text.Json;
using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>
/// Loads SAEs trained by dictionary_learning (saprmarks/dictionary_learning): a folder with <c>ae.pt</c> (a
/// <c>torch.save</c> of the module's state dict) and, usually, <c>config.json</c> (<c>{"trainer": {"dict_class": ...}}</c>).
/// </summary>
/// <remarks>
/// <para>The architecture is told by the state dict's keys, and by <c>trainer.dict_class</c> when the config exists:</para>
/// <list type="bullet">
/// <item><c>AutoEncoder</c>: <c>bias [d]</c>, <c>encoder.weight [F, d]</c>, <c>encoder.bias [F]</c>,
/// <c>decoder.weight [d, F]</c> → <see cref="StandardSae"/> (<c>W_enc = encoder.weightᵀ</c>, <c>W_dec = decoder.weightᵀ</c>,
/// <c>b_dec = bias</c>).</item>
/// <item><c>GatedAutoEncoder</c>: <c>decoder_bias</c>, <c>encoder.weight</c>, <c>r_mag</c>, <c>gate_bias</c>, <c>mag_bias</c>,
/// <c>decoder.weight</c> → <see cref="GatedSae"/>.</item>
/// <item><c>AutoEncoderTopK</c>: <c>k</c>, <c>threshold</c>, <c>encoder.weight</c>, <c>encoder.bias</c>, <c>decoder.weight</c>,
/// <c>b_dec</c> → <see cref="TopKSae"/> (its default encoding, top-k; the threshold is unused). <c>BatchTopKSAE</c> has
/// the same keys, so it needs the config's <c>dict_class</c>; it loads as a <see cref="BatchTopKSae"/> whose inference
/// threshold is the stored one (a negative, never-updated one as 0, the same features on ReLU'd values).</item>
/// <item><c>JumpReluAutoEncoder</c>: <c>W_enc [d, F]</c>, <c>b_enc</c>, <c>W_dec [F, d]</c>, <c>b_dec</c>, <c>threshold</c> →
/// <see cref="JumpReluSae"/>. Its encoder does not subtract <c>b_dec</c>, so <c>b_enc + b_dec·W_enc</c> is loaded as
/// <c>b_enc</c> (the same pre-activations).</item>
/// </list>
/// <para>A backup checkpoint (<c>{"step", "ae": state dict, "optimizer", ...}</c>) loads from its <c>ae</c> entry.
/// Weights keep their stored dtype unless <c>dtype</c> is given.</para>
/// </remarks>
public static class DictionaryLearningFolder
{
    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "ae.pt";

    /// <summary>The config file's name.</summary>
    public const string ConfigFileName = "config.json";

    private static readonly Dictionary<string, string[]> KeysByClass = new(StringComparer.Ordinal)
    {
        ["AutoEncoder"] = ["bias", "encoder.weight", "encoder.bias", "decoder.weight"],
        ["GatedAutoEncoder"] = ["decoder_bias", "encoder.weight", "r_mag", "gate_bias", "mag_bias", "decoder.weight"],
        ["AutoEncoderTopK"] = ["k", "threshold", "encoder.weight", "encoder.bias", "decoder.weight", "b_dec"],
        ["BatchTopKSAE"] = ["k", "threshold", "encoder.weight", "encoder.bias", "decoder.weight", "b_dec"],
        ["JumpReluAutoEncoder"] = ["W_enc", "b_enc", "W_dec", "b_dec", "threshold"],
    };

    /// <summary>Builds the SAE a dictionary_learning folder (or <c>ae.pt</c> file) holds.</summary>
    /// <param name="path">A folder holding <c>ae.pt</c> (and optionally <c>config.json</c>), or the <c>ae.pt</c> file.</param>
    /// <param name="device">Where to place the parameters; the CPU when <see langword="null"/>.</param>
    /// <param name="dtype">The parameters' element type; the stored one when <see langword="null"/>.</param>
    /// <returns>The SAE, owned by the caller.</returns>
    /// <exception cref="SaeFormatException">The files are missing or not a state dict of a supported class.</exception>
    public static ISparseAutoencoder Load(string path, Device? device = null, ScalarType? dtype = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string weightsPath = Directory.Exists(full) ? Path.Combine(full, WeightsFileName) : full;
        string configPath = Path.Combine(Path.GetDirectoryName(weightsPath)!, ConfigFileName);
        string? dictClass = File.Exists(configPath) ? ReadDictClass(configPath) : null;

        using var archive = TorchArchive.Open(weightsPath);
        var root = archive.Root as PickleDict ?? throw SaeFormatException.ForFile(weightsPath, "the file does not hold a dict.");
        // A backup checkpoint nests the state dict under "ae".
        if (root.Items.FirstOrDefault(kv => kv.Key is "ae").Value is PickleDict nested && root.Items.Any(kv => kv.Key is "step")) root = nested;

        using var scope = NewDisposeScope();
        var weights = archive.Tensors(root);
        string detected = Detect(weights.Keys, weightsPath);
        if (dictClass is not null && dictClass != detected && !(detected == "AutoEncoderTopK" && dictClass == "BatchTopKSAE"))
        {
            throw SaeFormatException.ForKey(configPath, "trainer.dict_class",
                $"the config names '{dictClass}' but {WeightsFileName} holds the tensors of a {detected}.");
        }
        string kind = dictClass ?? detected;
        if (dtype is { } requested && !IsSaeDType(requested))
        {
            throw new ArgumentException($"An SAE's dtype must be Float32, Float64, Float16 or BFloat16, not {requested}.", nameof(dtype));
        }
        string encoderName = kind == "JumpReluAutoEncoder" ? "W_enc" : "encoder.weight";
        ScalarType stored = weights[encoderName].dtype;
        if (dtype is null && !IsSaeDType(stored))
        {
            throw SaeFormatException.ForTensor(weightsPath, encoderName, $"the dtype is {stored}; expected float32, float64, float16 or bfloat16.");
        }
        ScalarType target = dtype ?? stored;
        ISparseAutoencoder sae = kind switch
        {
            "AutoEncoder" => Standard(weights, weightsPath, device, target),
            "GatedAutoEncoder" => Gated(weights, weightsPath, device, target),
            "AutoEncoderTopK" or "BatchTopKSAE" => TopK(weights, weightsPath, device, target, batch: kind == "BatchTopKSAE"),
            _ => JumpRelu(weights, weightsPath, device, target),
        };
        try
        {
            ForeignWeights.CheckFinite(sae, weightsPath);
            return sae;
        }
        catch
        {
            sae.Dispose();
            throw;
        }
    }

    private static bool IsSaeDType(ScalarType t) => t is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    private static string Detect(IEnumerable<string> keys, string path)
    {
        var set = keys.ToHashSet(StringComparer.Ordinal);
        foreach ((string name, string[] expected) in KeysByClass)
        {
            if (set.SetEquals(expected)) return name;
        }
        throw SaeFormatException.ForFile(path,
            $"the state dict holds {string.Join(", ", set.Order(StringComparer.Ordinal))}, which is none of AutoEncoder, GatedAutoEncoder, AutoEncoderTopK / BatchTopKSAE or JumpReluAutoEncoder.");
    }

    private static (long D, long F) Dims(IReadOnlyDictionary<string, Tensor> w, string name, string path, bool featuresFirst)
    {
        var t = w[name];
        if (t.dim() != 2 || t.shape[0] == 0 || t.shape[1] == 0 || t.shape[0] > int.MaxValue || t.shape[1] > int.MaxValue)
        {
            throw SaeFormatException.ForTensor(path, name, $"expected a non-empty matrix, found shape [{string.Join(", ", t.shape)}].");
        }
        return featuresFirst ? (t.shape[1], t.shape[0]) : (t.shape[0], t.shape[1]);
    }

    private static StandardSae Standard(Dictionary<string, Tensor> w, string path, Device? device, ScalarType dtype)
    {
        var (d, f) = Dims(w, "encoder.weight", path, featuresFirst: true);
        var encoder = ForeignWeights.Require(w, "encoder.weight", [f, d], path);
        var encoderBias = ForeignWeights.Require(w, "encoder.bias", [f], path);
        var decoder = ForeignWeights.Require(w, "decoder.weight", [d, f], path);
        var bias = ForeignWeights.Require(w, "bias", [d], path);
        var sae = ForeignWeights.Adopt(new StandardSae((int)d, (int)f, device, dtype));
        ForeignWeights.Set(sae, "W_enc", encoder.t());
        ForeignWeights.Set(sae, "b_enc", encoderBias);
        ForeignWeights.Set(sae, "W_dec", decoder.t());
        ForeignWeights.Set(sae, "b_dec", bias);
        return sae;
    }

    private static GatedSae Gated(Dictionary<string, Tensor> w, string path, Device? device, ScalarType dtype)
    {
        var (d, f) = Dims(w, "encoder.weight", path, featuresFirst: true);
        var encoder = ForeignWeights.Require(w, "encoder.weight", [f, d], path);
        var decoder = ForeignWeights.Require(w, "decoder.weight", [d, f], path);
        var sae = ForeignWeights.Adopt(new GatedSae((int)d, (int)f, device, dtype));
        ForeignWeights.Set(sae, "W_enc", encoder.t());
        ForeignWeights.Set(sae, "b_gate", ForeignWeights.Require(w, "gate_bias", [f], path));
        ForeignWeights.Set(sae, "b_mag", ForeignWeights.Require(w, "mag_bias", [f], path));
        ForeignWeights.Set(sae, "r_mag", ForeignWeights.Require(w, "r_mag", [f], path));
        ForeignWeights.Set(sae, "W_dec", decoder.t());
        ForeignWeights.Set(sae, "b_dec", ForeignWeights.Require(w, "decoder_bias", [d], path));
        return sae;
    }

    private static ISparseAutoencoder TopK(Dictionary<string, Tensor> w, string path, Device? device, ScalarType dtype, bool batch)
    {
        var (d, f) = Dims(w, "encoder.weight", path, featuresFirst: true);
        var encoder = ForeignWeights.Require(w, "encoder.weight", [f, d], path);
        var encoderBias = ForeignWeights.Require(w, "encoder.bias", [f], path);
        var decoder = ForeignWeights.Require(w, "decoder.weight", [d, f], path);
        var decoderBias = ForeignWeights.Require(w, "b_dec", [d], path);
        var kTensor = w["k"];
        if (kTensor.numel() != 1 || kTensor.is_floating_point() || kTensor.dtype == ScalarType.Bool)
        {
            throw SaeFormatException.ForTensor(path, "k", "expected an integer scalar.");
        }
        long k = kTensor.to(ScalarType.Int64).item<long>();
        if (k < 1 || k > f) throw SaeFormatException.ForTensor(path, "k", $"k = {k} is not in [1, {f}].");
        var threshold = ForeignWeights.Require(w, "threshold", [], path);

        ISparseAutoencoder sae;
        if (batch)
        {
            // dictionary_learning starts the threshold at −1 (not yet estimated); on ReLU'd values any θ ≤ 0 acts as 0.
            double theta = threshold.to(ScalarType.Float64).item<double>();
            sae = ForeignWeights.Adopt(new BatchTopKSae((int)d, (int)f, (int)k, device, dtype) { Threshold = Math.Max(0, theta) });
        }
        else
        {
            sae = ForeignWeights.Adopt(new TopKSae((int)d, (int)f, (int)k, device, dtype));
        }
        ForeignWeights.Set(sae, "W_enc", encoder.t());
        ForeignWeights.Set(sae, "b_enc", encoderBias);
        ForeignWeights.Set(sae, "W_dec", decoder.t());
        ForeignWeights.Set(sae, "b_dec", decoderBias);
        return sae;
    }

    private static JumpReluSae JumpRelu(Dictionary<string, Tensor> w, string path, Device? device, ScalarType dtype)
    {
        var (d, f) = Dims(w, "W_enc", path, featuresFirst: false);
        var encoder = ForeignWeights.Require(w, "W_enc", [d, f], path).to(ScalarType.Float64);
        var encoderBias = ForeignWeights.Require(w, "b_enc", [f], path).to(ScalarType.Float64);
        var decoder = ForeignWeights.Require(w, "W_dec", [f, d], path);
        var decoderBias = ForeignWeights.Require(w, "b_dec", [d], path).to(ScalarType.Float64);
        var threshold = ForeignWeights.Require(w, "threshold", [f], path).to(ScalarType.Float64);
        var sae = ForeignWeights.Adopt(new JumpReluSae((int)d, (int)f, device, dtype));
        ForeignWeights.Set(sae, "W_enc", encoder);
        // x·W_enc + b_enc = (x − b_dec)·W_enc + (b_enc + b_dec·W_enc).
        ForeignWeights.Set(sae, "b_enc", encoderBias + matmul(decoderBias, encoder));
        ForeignWeights.Set(sae, "W_dec", decoder);
        ForeignWeights.Set(sae, "b_dec", decoderBias);
        ForeignWeights.Set(sae, "log_threshold", threshold.clamp_min(0).log());
        return sae;
    }

    private static string ReadDictClass(string configPath)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(configPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SaeFormatException.ForFile(configPath, $"the file cannot be read: {e.Message}", e);
        }
        JsonDocument document;
        try
        {
            document = StrictJson.Parse(bytes, 64);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw SaeFormatException.ForFile(configPath, $"the file is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var trainer = new JsonObjectReader(document.RootElement, configPath, SaeFormatException.ForJson).RequireObject("trainer");
            string name = trainer.RequireString("dict_class");
            return KeysByClass.ContainsKey(name)
                ? name
                : throw trainer.Error("dict_class", $"'{name}' is not supported; this library loads {string.Join(", ", KeysByClass.Keys)}.");
        }
    }
}
