using SparseDictionary.Formats;
using Xunit;
using static SparseDictionary.Tests.Formats.SaeLensTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Formats;

/// <summary>sparsify folders (<c>cfg.json</c> + <c>sae.safetensors</c>) made by hand from the format.</summary>
public sealed class SparsifyFolderTests : IDisposable
{
    private const string Config = """{"activation": "topk", "expansion_factor": 32, "normalize_decoder": true, "num_latents": 3, "k": 1, "multi_topk": false, "skip_connection": false, "transcode": false, "d_in": 2}""";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // sparsify stores encoder.weight [F, d] (nn.Linear) and W_dec [F, d].
    private static Dictionary<string, Tensor> Weights() => new()
    {
        ["encoder.weight"] = tensor(new float[,] { { 1, 0 }, { 0, 2 }, { -1, 1 } }),
        ["encoder.bias"] = tensor(BEnc),
        ["W_dec"] = tensor(WDec),
        ["b_dec"] = tensor(BDec),
    };

    private string Folder(string config, Dictionary<string, Tensor> weights)
    {
        string dir = _temp.File("sae");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, SparsifyFolder.ConfigFileName), config);
        SafeTensors.Save(Path.Combine(dir, SparsifyFolder.WeightsFileName), weights);
        foreach (var t in weights.Values) t.Dispose();
        return dir;
    }

    [Fact]
    public void LoadsAsTopK()
    {
        using var sae = SparsifyFolder.Load(Folder(Config, Weights()));
        using var scope = NewDisposeScope();
        Assert.Equal((2, 3, 1, ScalarType.Float32), (sae.DIn, sae.DSae, sae.K, sae.DType));
        AssertClose(new double[,] { { 1, 0, -1 }, { 0, 2, 1 } }, sae.EncoderWeight);
        var forward = sae.Forward(Inputs());
        // pre = (1.25, 4, −0.25), (0.25, 0, −1.25); k = 1.
        AssertClose(new double[,] { { 0, 4, 0 }, { 0.25, 0, 0 } }, forward.Features);
        AssertClose(new double[,] { { 0.25, 3.5 }, { 0.5, -0.5 } }, forward.Reconstruction);
    }

    [Fact]
    public void LatentsDefaultToDInTimesTheExpansionFactor_AndKTo32()
    {
        var weights = new Dictionary<string, Tensor>
        {
            ["encoder.weight"] = randn(64, 2),
            ["encoder.bias"] = zeros(64),
            ["W_dec"] = randn(64, 2),
            ["b_dec"] = zeros(2),
        };
        using var sae = SparsifyFolder.Load(Folder("""{"d_in": 2, "num_latents": 0, "expansion_factor": 32}""", weights), dtype: ScalarType.Float64);
        Assert.Equal((64, 32, ScalarType.Float64), (sae.DSae, sae.K, sae.DType));
    }

    [Theory]
    [InlineData("\"activation\": \"topk\"", "\"activation\": \"groupmax\"", "activation")]
    [InlineData("\"transcode\": false", "\"transcode\": true", "transcode")]
    [InlineData("\"skip_connection\": false", "\"skip_connection\": true", "skip_connection")]
    [InlineData("\"k\": 1", "\"k\": 4", "k")]
    [InlineData("\"k\": 1", "\"k\": 0", "k")]
    [InlineData(", \"d_in\": 2", "", "d_in")]
    [InlineData("\"num_latents\": 3", "\"num_latents\": -3", "num_latents")]
    [InlineData("\"transcode\": false", "\"transcode\": \"no\"", "transcode")]
    public void BadConfig(string original, string replacement, string key)
    {
        Assert.Contains(original, Config);
        string dir = Folder(Config.Replace(original, replacement), Weights());
        var error = Assert.Throws<SaeFormatException>(() => SparsifyFolder.Load(dir));
        Assert.Equal((key, Path.Combine(dir, "cfg.json")), (error.Key, error.FilePath));
    }

    [Fact]
    public void BadWeights()
    {
        var skip = Weights();
        skip["W_skip"] = zeros(2, 2);
        Assert.Equal("W_skip", Assert.Throws<SaeFormatException>(() => SparsifyFolder.Load(Folder(Config, skip))).TensorName);

        var transposed = Weights();
        transposed["W_dec"] = transposed["W_dec"].t().contiguous();
        Assert.Equal("W_dec", Assert.Throws<SaeFormatException>(() => SparsifyFolder.Load(Folder(Config, transposed))).TensorName);

        var missing = Weights();
        missing.Remove("b_dec");
        Assert.Equal("b_dec", Assert.Throws<SaeFormatException>(() => SparsifyFolder.Load(Folder(Config, missing))).TensorName);

        var nan = Weights();
        nan["encoder.bias"] = tensor(new[] { 1f, float.NaN, 0 });
        Assert.Equal("encoder.bias", Assert.Throws<SaeFormatException>(() => SparsifyFolder.Load(Folder(Config, nan))).TensorName);

        string noWeights = _temp.File("empty");
        Directory.CreateDirectory(noWeights);
        File.WriteAllText(Path.Combine(noWeights, "cfg.json"), Config);
        Assert.Equal(Path.Combine(noWeights, "sae.safetensors"), Assert.Throws<SaeFormatException>(() => SparsifyFolder.Load(noWeights)).FilePath);
    }
}
