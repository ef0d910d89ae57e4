using System.Text.Json;
using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using SparseDictionary.Tests.Autoencoders;
using TorchSharp;
using Xunit;
using static SparseDictionary.Tests.Formats.SaeLensTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Formats;

/// <summary>SAELens folders of TopK, BatchTopK (saved as JumpReLU) and JumpReLU SAEs.</summary>
public sealed class SparseArchitectureSaeLensTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, ScalarType> Cases => new()
    {
        { "topk", ScalarType.Float32 },
        { "topk", ScalarType.Float64 },
        { "jumprelu", ScalarType.Float32 },
        { "jumprelu", ScalarType.Float64 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SaveThenLoad_GivesIdenticalOutputs(string architecture, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using ISparseAutoencoder sae = RandomSae(architecture, 6, 10, dtype, seed: 3);
        string dir = _temp.File("sae");

        SaeLensFolder.Save(sae, dir);
        using ISparseAutoencoder loaded = SaeLensFolder.Load(dir);

        Assert.Equal(sae.GetType(), loaded.GetType());
        Assert.Equal((sae.DIn, sae.DSae, dtype), (loaded.DIn, loaded.DSae, loaded.DType));
        foreach (string name in new[] { "W_enc", "b_enc", "W_dec", "b_dec" })
        {
            Assert.True(SaeLensRoundTripTests.Same(sae.NamedParameters[name], loaded.NamedParameters[name]), $"{name} differs after the round trip");
        }
        if (sae is TopKSae topK) Assert.Equal(topK.K, ((TopKSae)loaded).K);
        if (sae is JumpReluSae jumpRelu)
        {
            // The file stores θ; log θ is recomputed on loading, so θ comes back to within an ulp or two.
            Assert.True(jumpRelu.Threshold().allclose(((JumpReluSae)loaded).Threshold(), rtol: 1e-6, atol: 0));
        }
        Tensor x = randn(64, 6, generator: new Generator(9)).to(dtype);
        using (no_grad())
        {
            SaeForward expected = sae.Forward(x), actual = loaded.Forward(x);
            long active = expected.Features.gt(0).sum().ToInt64();
            Assert.InRange(active, 1, expected.Features.numel() - 1);
            Assert.True(SaeLensRoundTripTests.Same(expected.Features, actual.Features));
            Assert.True(SaeLensRoundTripTests.Same(expected.Reconstruction, actual.Reconstruction));
        }
    }

    [Fact]
    public void TopKConfig_HasKAndNoDecoderNormRescaling_AndTheWeightsAreSaeLenss()
    {
        using ISparseAutoencoder sae = RandomSae("topk", 4, 8, ScalarType.Float32, seed: 1);
        string dir = _temp.File("sae");
        SaeLensFolder.Save(sae, dir);

        using JsonDocument cfg = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, SaeLensFolder.ConfigFileName)));
        Assert.Equal("topk", cfg.RootElement.GetProperty("architecture").GetString());
        Assert.Equal(3, cfg.RootElement.GetProperty("k").GetInt32());
        Assert.False(cfg.RootElement.GetProperty("rescale_acts_by_decoder_norm").GetBoolean());
        using SafeTensorsFile file = SafeTensors.Open(Path.Combine(dir, SaeLensFolder.WeightsFileName));
        Assert.Equal(new[] { "W_dec", "W_enc", "b_dec", "b_enc" }, file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void BatchTopK_IsSavedAsJumpReluWithAConstantThreshold_AndLoadsBackWithTheSameInferenceOutputs()
    {
        using var scope = NewDisposeScope();
        using var sae = (BatchTopKSae)RandomSae("batchtopk", 6, 10, ScalarType.Float32, seed: 4);
        sae.Threshold = 0.4;
        string dir = _temp.File("sae");
        SaeLensFolder.Save(sae, dir);

        Assert.Equal("jumprelu", SaeLensFolder.ReadConfig(dir).Architecture);
        using (SafeTensorsFile file = SafeTensors.Open(Path.Combine(dir, SaeLensFolder.WeightsFileName)))
        {
            Assert.Equal(new[] { "W_dec", "W_enc", "b_dec", "b_enc", "threshold" }, file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
            TensorAssert.Close(Enumerable.Repeat((double)0.4f, 10).ToArray(), file.Load("threshold"), 0);
        }

        using ISparseAutoencoder loaded = SaeLensFolder.Load(dir);
        Assert.IsType<JumpReluSae>(loaded);
        Tensor x = randn(64, 6, generator: new Generator(9));
        using (no_grad())
        {
            SaeForward expected = sae.Forward(x), actual = loaded.Forward(x);
            long active = expected.Features.gt(0).sum().ToInt64();
            Assert.InRange(active, 1, expected.Features.numel() - 1);
            Assert.True(SaeLensRoundTripTests.Same(expected.Features, actual.Features),
                $"features differ by {(expected.Features - actual.Features).abs().max().ToDouble()}, θ' = {((JumpReluSae)loaded).Threshold()[0].ToDouble():R}");
            Assert.True(SaeLensRoundTripTests.Same(expected.Reconstruction, actual.Reconstruction));
        }
    }

    [Fact]
    public void TopKFolderThatRescalesByDecoderNorm_IsFoldedLikeSaeLens()
    {
        // W_dec rows (1, 0), (0, 1), (2, 2) have norms n = (1, 1, 2√2); b_enc = (0.5, −1, 0.5); k = 1.
        // x − b_dec = (0.75, 2.5) and (−0.25, 0.5); pre = (1.25, 4, 2.25) and (0.25, 0, 1.25).
        // SAELens selects on pre ⊙ n = (1.25, 4, 6.364) and (0.25, 0, 3.536): latent 2 both times (without the rescaling
        // token 0 would pick latent 1), and returns those rescaled values as features: 2.25·2√2 and 1.25·2√2.
        // It decodes f ⊘ n: 2.25·(2, 2) + b_dec = (4.75, 4) and 1.25·(2, 2) + b_dec = (2.75, 2).
        var weights = StandardWeights();
        weights["W_dec"].Dispose();
        weights["b_enc"].Dispose();
        weights["W_dec"] = tensor(new float[,] { { 1, 0 }, { 0, 1 }, { 2, 2 } });
        weights["b_enc"] = tensor(new float[] { 0.5f, -1, 0.5f });
        string cfg = V6Config("topk").Replace("\"d_in\": 2", "\"d_in\": 2, \"k\": 1, \"rescale_acts_by_decoder_norm\": true");
        string dir = WriteFolder(_temp.File("sae"), cfg, weights);

        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        using var scope = NewDisposeScope();
        var forward = sae.Forward(Inputs());
        double r8 = 2 * Math.Sqrt(2);
        AssertClose(new double[,] { { 0, 0, 2.25 * r8 }, { 0, 0, 1.25 * r8 } }, forward.Features, 1e-5);
        AssertClose(new double[,] { { 4.75, 4 }, { 2.75, 2 } }, forward.Reconstruction, 1e-5);
        AssertClose(new double[,] { { 1, 0 }, { 0, 1 }, { Math.Sqrt(0.5), Math.Sqrt(0.5) } }, sae.DecoderWeight, 1e-6);
    }

    [Fact]
    public void LegacyTopKFolder_LoadsWithItsK()
    {
        string cfg = Legacy5Config.Replace("\"activation_fn_str\": \"relu\", \"activation_fn_kwargs\": {}", "\"activation_fn_str\": \"topk\", \"activation_fn_kwargs\": {\"k\": 2}");
        Assert.NotEqual(Legacy5Config, cfg);
        string dir = WriteFolder(_temp.File("sae"), cfg, StandardWeights());

        SaeLensConfig config = SaeLensFolder.ReadConfig(dir);
        Assert.Equal("topk", config.Architecture);
        Assert.Equal(2, config.Extra["k"].GetInt32());
        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        Assert.Equal(2, Assert.IsType<TopKSae>(sae).K);
    }

    [Fact]
    public void JumpReluFolderWithThresholdsAtOrBelowZero_LoadsAsReluThere()
    {
        // pre = (1.25, 4, −0.25) and (0.25, 0, −1.25) for the standard test weights (x − b_dec = (0.75, 2.5), (−0.25, 0.5)).
        // θ = (0.5, 0, −1): token 0 fires 1.25 > 0.5 and 4 > 0; −0.25 > −1 but ReLU zeroes it. Token 1: 0.25 ≤ 0.5,
        // 0 is not > 0. θ ≤ 0 is kept as θ = 0, which gives the same features.
        var weights = StandardWeights();
        weights["threshold"] = tensor(new float[] { 0.5f, 0, -1 });
        string dir = WriteFolder(_temp.File("sae"), V6Config("jumprelu"), weights);

        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        using var scope = NewDisposeScope();
        var jumpRelu = Assert.IsType<JumpReluSae>(sae);
        TensorAssert.Close(new[] { 0.5, 0, 0 }, jumpRelu.Threshold(), 1e-7);
        AssertClose(new double[,] { { 1.25, 4, 0 }, { 0, 0, 0 } }, sae.Forward(Inputs()).Features);

        string again = _temp.File("again");
        SaeLensFolder.Save(sae, again);
        using SafeTensorsFile file = SafeTensors.Open(Path.Combine(again, SaeLensFolder.WeightsFileName));
        TensorAssert.Close(new[] { 0.5, 0, 0 }, file.Load("threshold"), 1e-7);
    }

    [Theory]
    [InlineData("\"k\": 4", "k")]
    [InlineData("\"k\": 0", "k")]
    [InlineData("\"k\": \"2\"", "k")]
    [InlineData("\"k\": 1.5", "k")]
    [InlineData("\"k\": 2, \"rescale_acts_by_decoder_norm\": \"yes\"", "rescale_acts_by_decoder_norm")]
    [InlineData("", "k")] // SAELens's default k = 100 exceeds d_sae = 3
    public void BadTopKConfig(string keys, string key)
    {
        string cfg = V6Config("topk").Replace("\"d_in\": 2", "\"d_in\": 2" + (keys == "" ? "" : ", " + keys));
        string dir = WriteFolder(_temp.File("sae"), cfg, StandardWeights());
        var error = Assert.Throws<SaeFormatException>(() => SaeLensFolder.Load(dir));
        Assert.Equal(key, error.Key);
        Assert.Equal(Path.Combine(dir, "cfg.json"), error.FilePath);
    }

    [Fact]
    public void JumpReluFolderWithoutThreshold()
    {
        string dir = WriteFolder(_temp.File("sae"), V6Config("jumprelu"), StandardWeights());
        var error = Assert.Throws<SaeFormatException>(() => SaeLensFolder.Load(dir));
        Assert.Equal("threshold", error.TensorName);
        Assert.Contains("W_enc, b_enc", error.Message);
    }

    internal static ISparseAutoencoder RandomSae(string architecture, int dIn, int dSae, ScalarType dtype, int seed)
    {
        var generator = new Generator((ulong)seed);
        ISparseAutoencoder sae = architecture switch
        {
            "topk" => new TopKSae(dIn, dSae, k: 3, dtype: dtype, generator: generator),
            "batchtopk" => new BatchTopKSae(dIn, dSae, k: 3, dtype: dtype, generator: generator),
            _ => new JumpReluSae(dIn, dSae, dtype: dtype, generator: generator),
        };
        // Non-zero biases and thresholds spread around the pre-activations' scale, so zeros hide nothing.
        using var _ = no_grad();
        foreach (var (name, p) in sae.NamedParameters)
        {
            using Tensor noise = randn(p.shape, generator: generator).to(dtype);
            if (name == "log_threshold") p.copy_(noise * 0.5 - 1);
            else p.add_(noise * 0.3);
        }
        return sae;
    }
}
