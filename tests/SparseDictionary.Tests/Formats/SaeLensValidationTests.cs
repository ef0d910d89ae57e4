using SparseDictionary.Formats;
using TorchSharp;
using Xunit;
using static SparseDictionary.Tests.Formats.SaeLensTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Formats;

/// <summary>Every broken folder gives a <see cref="SaeFormatException"/> naming the file and the key or tensor.</summary>
public sealed class SaeLensValidationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Folder(string? cfg, Dictionary<string, Tensor>? weights) => WriteFolder(_temp.File("sae"), cfg, weights);

    private string CfgPath => Path.Combine(_temp.File("sae"), "cfg.json");

    private string WeightsPath => Path.Combine(_temp.File("sae"), "sae_weights.safetensors");

    private static SaeFormatException LoadFails(string dir, string file, string? keyOrTensor)
    {
        var error = Assert.Throws<SaeFormatException>(() => SaeLensFolder.Load(dir));
        Assert.Equal(file, error.FilePath);
        Assert.Contains($"'{file}'", error.Message);
        if (keyOrTensor is not null)
        {
            Assert.Equal(keyOrTensor, error.Key ?? error.TensorName);
            Assert.Contains($"'{keyOrTensor}'", error.Message);
        }
        return error;
    }

    [Fact]
    public void MissingDirectory()
    {
        string dir = _temp.File("nowhere");
        LoadFails(dir, dir, null);
        Assert.Equal(dir, Assert.Throws<SaeFormatException>(() => SaeLensFolder.ReadConfig(dir)).FilePath);
        Assert.Throws<SaeFormatException>(() => SaeLensFolder.ReadLog10FeatureSparsity(dir));
    }

    [Fact]
    public void MissingConfig()
    {
        var error = LoadFails(Folder(null, StandardWeights()), CfgPath, null);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void MissingWeightsFile()
    {
        var error = LoadFails(Folder(V6Config("standard"), null), WeightsPath, null);
        Assert.Contains("missing", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"d_in\": 2,}")]
    [InlineData("{\"d_in\": 2")]
    [InlineData("[1, 2]")]
    [InlineData("{\"d_in\": NaN}")]
    public void ConfigNotAJsonObject(string text)
    {
        LoadFails(Folder(text, StandardWeights()), CfgPath, null);
    }

    [Fact]
    public void ConfigNestedTooDeeply()
    {
        string deep = V6Config("standard").Replace("\"seqpos_slice\": [null]", "\"seqpos_slice\": " + new string('[', 100) + new string(']', 100));
        var error = LoadFails(Folder(deep, StandardWeights()), CfgPath, null);
        Assert.Contains("JSON", error.Message);
    }

    [Theory]
    [InlineData("\"d_in\": 2, ", "", "d_in")]
    [InlineData("\"d_in\": 2", "\"d_in\": \"2\"", "d_in")]
    [InlineData("\"d_in\": 2", "\"d_in\": 2.5", "d_in")]
    [InlineData("\"d_in\": 2", "\"d_in\": 0", "d_in")]
    [InlineData("\"d_sae\": 3", "\"d_sae\": 99999999999", "d_sae")]
    [InlineData("\"dtype\": \"float32\"", "\"dtype\": \"int8\"", "dtype")]
    [InlineData("\"dtype\": \"float32\"", "\"dtype\": null", "dtype")]
    [InlineData("\"apply_b_dec_to_input\": true", "\"apply_b_dec_to_input\": \"yes\"", "apply_b_dec_to_input")]
    [InlineData("\"normalize_activations\": \"none\"", "\"normalize_activations\": \"whiten\"", "normalize_activations")]
    [InlineData("\"normalize_activations\": \"none\"", "\"normalize_activations\": \"layer_norm\"", "normalize_activations")]
    [InlineData("\"normalize_activations\": \"none\"", "\"normalize_activations\": \"constant_norm_rescale\"", "normalize_activations")]
    [InlineData("\"reshape_activations\": \"none\"", "\"reshape_activations\": \"hook_q\"", "reshape_activations")]
    [InlineData("\"architecture\": \"standard\"", "\"architecture\": \"jumprelu_transcoder\"", "architecture")]
    [InlineData(", \"architecture\": \"standard\"", "", "architecture")]
    [InlineData("\"context_size\": 128", "\"context_size\": \"128\"", "metadata.context_size")]
    [InlineData("\"hook_name\": \"blocks.0.hook_resid_pre\"", "\"hook_name\": 7", "metadata.hook_name")]
    [InlineData("\"prepend_bos\": true", "\"prepend_bos\": 1", "metadata.prepend_bos")]
    [InlineData("\"model_from_pretrained_kwargs\": {\"center_writing_weights\": false}", "\"model_from_pretrained_kwargs\": []", "metadata.model_from_pretrained_kwargs")]
    [InlineData("\"sae_lens_version\": \"6.18.0\"", "\"sae_lens_version\": \"six\"", "metadata.sae_lens_version")]
    [InlineData("\"device\": \"cuda\"", "\"device\": \"cuda\", \"d_sae\": 3", "d_sae")]
    [InlineData("\"hook_head_index\": null", "\"hook_head_index\": null, \"hook_head_index\": 1", "metadata.hook_head_index")]
    public void BadConfigKey(string original, string replacement, string key)
    {
        string cfg = V6Config("standard");
        Assert.Contains(original, cfg);
        LoadFails(Folder(cfg.Replace(original, replacement), StandardWeights()), CfgPath, key);
    }

    [Fact]
    public void MetadataNotAnObject()
    {
        LoadFails(Folder("""{"d_in": 2, "d_sae": 3, "architecture": "standard", "metadata": "6.0.0"}""", StandardWeights()), CfgPath, "metadata");
    }

    [Fact]
    public void LegacyActivationFunctionOtherThanRelu()
    {
        LoadFails(Folder(Legacy5Config.Replace("\"relu\"", "\"tanh-relu\""), StandardWeights()), CfgPath, "activation_fn");
    }

    [Fact]
    public void LegacyKeyGivenUnderBothNames()
    {
        string cfg = EarlyLegacyConfig.Replace("\"seed\": 42", "\"hook_name\": \"blocks.1.hook_resid_pre\"");
        LoadFails(Folder(cfg, StandardWeights()), CfgPath, "hook_point");
    }

    [Fact]
    public void WeightWithTheWrongShape()
    {
        Dictionary<string, Tensor> weights = StandardWeights();
        weights["W_enc"].Dispose();
        weights["W_enc"] = torch.zeros(3, 2); // transposed: PyTorch's nn.Linear orientation, not SAELens's.
        var error = LoadFails(Folder(V6Config("standard"), weights), WeightsPath, "W_enc");
        Assert.Contains("[3, 2]", error.Message);
        Assert.Contains("[2, 3]", error.Message);
    }

    [Fact]
    public void WeightsFileMissingWDec()
    {
        Dictionary<string, Tensor> weights = StandardWeights();
        weights["W_dec"].Dispose();
        weights.Remove("W_dec");
        LoadFails(Folder(V6Config("standard"), weights), WeightsPath, "W_dec");
    }

    [Fact]
    public void GatedFolderMissingRMag()
    {
        Dictionary<string, Tensor> weights = GatedWeights();
        weights["r_mag"].Dispose();
        weights.Remove("r_mag");
        LoadFails(Folder(V6Config("gated"), weights), WeightsPath, "r_mag");
    }

    [Fact]
    public void UnexpectedTensor()
    {
        Dictionary<string, Tensor> weights = StandardWeights();
        weights["threshold"] = torch.zeros(3);
        LoadFails(Folder(V6Config("standard"), weights), WeightsPath, "threshold");
    }

    [Fact]
    public void IntegerWeight()
    {
        Dictionary<string, Tensor> weights = StandardWeights();
        weights["b_dec"].Dispose();
        weights["b_dec"] = torch.zeros(2, dtype: ScalarType.Int32);
        LoadFails(Folder(V6Config("standard"), weights), WeightsPath, "b_dec");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteWeight(float bad)
    {
        Dictionary<string, Tensor> weights = StandardWeights();
        weights["b_enc"][1] = bad;
        var error = LoadFails(Folder(V6Config("standard"), weights), WeightsPath, "b_enc");
        Assert.Contains("NaN", error.Message);
    }

    [Fact]
    public void WeightThatOverflowsTheRequestedDType()
    {
        Dictionary<string, Tensor> weights = StandardWeights();
        weights["W_dec"][0, 0] = 1e6f;
        string dir = Folder(V6Config("standard"), weights);
        var error = Assert.Throws<SaeFormatException>(() => SaeLensFolder.Load(dir, dtype: ScalarType.Float16));
        Assert.Equal("W_dec", error.TensorName);
    }

    [Fact]
    public void WeightsFileNotSafetensors()
    {
        string dir = Folder(V6Config("standard"), null);
        File.WriteAllBytes(WeightsPath, [1, 2, 3]);
        LoadFails(dir, WeightsPath, null);
    }

    [Fact]
    public void SparsityFileWithWrongLengthOrNaNOrName()
    {
        string dir = Folder(V6Config("standard"), StandardWeights());
        string path = Path.Combine(dir, "sparsity.safetensors");

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["sparsity"] = torch.zeros(4) });
        Assert.Equal("sparsity", Assert.Throws<SaeFormatException>(() => SaeLensFolder.ReadLog10FeatureSparsity(dir)).TensorName);

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["sparsity"] = torch.tensor(new[] { -1f, float.NaN, -2f }) });
        Assert.Equal(path, Assert.Throws<SaeFormatException>(() => SaeLensFolder.ReadLog10FeatureSparsity(dir)).FilePath);

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["log_sparsity"] = torch.zeros(3) });
        Assert.Equal("sparsity", Assert.Throws<SaeFormatException>(() => SaeLensFolder.ReadLog10FeatureSparsity(dir)).TensorName);
    }

    [Fact]
    public void ReadConfig_AcceptsArchitecturesItCannotLoad()
    {
        string dir = Folder(V6Config("matryoshka_batchtopk").Replace("\"d_in\": 2", "\"d_in\": 2, \"k\": 16"), null);

        SaeLensConfig config = SaeLensFolder.ReadConfig(dir);

        Assert.Equal("matryoshka_batchtopk", config.Architecture);
        Assert.Equal(16, config.Extra["k"].GetInt32());
        LoadFails(dir, CfgPath, "architecture");
    }
}
