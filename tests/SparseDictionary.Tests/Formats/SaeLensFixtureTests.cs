using System.Text.Json;
using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using TorchSharp;
using Xunit;
using static SparseDictionary.Tests.Formats.SaeLensTestData;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Formats;

/// <summary>Folders written by hand as SAELens writes them load into SAEs that compute hand-computed values.</summary>
public sealed class SaeLensFixtureTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void V6StandardFolder_LoadsAndComputesHandComputedFeaturesAndReconstructions()
    {
        string dir = WriteFolder(_temp.File("standard"), V6Config("standard"), StandardWeights());

        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        using var scope = NewDisposeScope();

        Assert.IsType<StandardSae>(sae);
        Assert.Equal((2, 3, ScalarType.Float32), (sae.DIn, sae.DSae, sae.DType));
        // x − b_dec = [0.75, 2.5] and [−0.25, 0.5]; ·W_enc + b_enc = [1.25, 4, −0.25] and [0.25, 0, −1.25].
        Tensor f = sae.Encode(Inputs());
        AssertClose(new double[,] { { 1.25, 4, 0 }, { 0.25, 0, 0 } }, f, 0);
        // f·W_dec + b_dec.
        AssertClose(new double[,] { { 1.5, 3.5 }, { 0.5, -0.5 } }, sae.Decode(f), 0);
        AssertClose(new double[,] { { 1.5, 3.5 }, { 0.5, -0.5 } }, sae.Forward(Inputs()).Reconstruction, 0);
    }

    [Fact]
    public void V6StandardConfig_IsReadWithEveryKeyIncludingThoseWeDoNotUse()
    {
        string dir = WriteFolder(_temp.File("standard"), V6Config("standard"), null);

        SaeLensConfig config = SaeLensFolder.ReadConfig(dir);

        Assert.False(config.IsLegacyFormat);
        Assert.Equal(("standard", 2, 3, "float32", "cuda"), (config.Architecture, config.DIn, config.DSae, config.DType, config.Device));
        Assert.True(config.ApplyBDecToInput);
        Assert.Equal(("none", "none"), (config.NormalizeActivations, config.ReshapeActivations));
        Assert.Empty(config.Extra);
        SaeLensMetadata m = config.Metadata;
        Assert.Equal(("6.18.0", "6.18.0"), (m.SaeLensVersion, m.SaeLensTrainingVersion));
        Assert.Equal(("tiny-stories-1M", "blocks.0.hook_resid_pre", "HookedTransformer"), (m.ModelName, m.HookName, m.ModelClassName));
        Assert.Equal(("monology/pile-uncopyrighted", 128, true), (m.DatasetPath, m.ContextSize, m.PrependBos));
        Assert.Null(m.HookHeadIndex);
        Assert.Equal(JsonValueKind.False, m.ModelFromPretrainedKwargs!["center_writing_weights"].ValueKind);
        Assert.Equal(["seqpos_slice", "exclude_special_tokens", "sequence_separator_token", "disable_concat_sequences"], m.Extra.Keys);
        Assert.Equal("[null]", m.Extra["seqpos_slice"].GetRawText());
    }

    [Fact]
    public void V6GatedFolder_LoadsAndComputesHandComputedFeaturesAndReconstructions()
    {
        string dir = WriteFolder(_temp.File("gated"), V6Config("gated"), GatedWeights());

        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        using var scope = NewDisposeScope();

        Assert.IsType<GatedSae>(sae);
        // x = [1, 2]: (x − b_dec)·W_enc = [0.75, 5, 1.75]; gate + b_gate = [0.75, 1, 2.25] (all open);
        //   magnitude = [0.75, 5·2, 1.75] + b_mag = [1.25, 11, −1.25] → ReLU [1.25, 11, 0].
        // x = [0, 0]: projection [−0.25, 1, 0.75]; gate [−0.25, −3, 1.25] (only latent 2 open); magnitude
        //   [0.25, 3, −2.25] → latent 0's positive magnitude is gated off, latent 2's is ReLU'd to 0.
        Tensor f = sae.Encode(Inputs());
        AssertClose(new double[,] { { 1.25, 11, 0 }, { 0, 0, 0 } }, f, 1e-5);
        AssertClose(new double[,] { { 1.5, 10.5 }, { 0.25, -0.5 } }, sae.Decode(f), 1e-5);
    }

    [Fact]
    public void ApplyBDecToInputFalse_StandardFolder_IsFoldedIntoTheEncoderBias()
    {
        string dir = WriteFolder(_temp.File("standard"), V6Config("standard", applyBDecToInput: false), StandardWeights());

        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        using var scope = NewDisposeScope();

        // SAELens without the shift: x·W_enc + b_enc = [1, 4, 1] + [0.5, −1, −2] and [0, 0, 0] + b_enc.
        Tensor f = sae.Encode(Inputs());
        AssertClose(new double[,] { { 1.5, 3, 0 }, { 0.5, 0, 0 } }, f, 1e-6);
        AssertClose(new double[,] { { 1.75, 2.5 }, { 0.75, -0.5 } }, sae.Decode(f), 1e-6);
        // b_enc' = b_enc + b_dec·W_enc = [0.5, −1, −2] + [0.25, −1, −0.75].
        var standard = Assert.IsType<StandardSae>(sae);
        AssertClose(new double[,] { { 0.75, -2, -2.75 } }, standard.EncoderBias.unsqueeze(0), 0);
    }

    [Fact]
    public void ApplyBDecToInputFalse_GatedFolder_IsFoldedIntoBothEncoderBiases()
    {
        string dir = WriteFolder(_temp.File("gated"), V6Config("gated", applyBDecToInput: false), GatedWeights());

        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        using var scope = NewDisposeScope();

        // x = [1, 2]: x·W_enc = [1, 4, 1]; gate [1, 0, 1.5] (latent 1 closed); magnitude [1.5, 9, −2] → f = [1.5, 0, 0].
        // x = [0, 0]: gate = b_gate = [0, −4, 0.5] (only latent 2 open); magnitude b_mag[2] = −3 → 0.
        Tensor f = sae.Encode(Inputs());
        AssertClose(new double[,] { { 1.5, 0, 0 }, { 0, 0, 0 } }, f, 1e-5);
        AssertClose(new double[,] { { 1.75, -0.5 }, { 0.25, -0.5 } }, sae.Decode(f), 1e-5);
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("gated")]
    public void ApplyBDecToInputFalse_RandomWeights_MatchTheUnshiftedSaeLensFormulas(string architecture)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var weights = new Dictionary<string, Tensor>
        {
            ["W_enc"] = randn(5, 7, generator: generator),
            ["W_dec"] = randn(7, 5, generator: generator),
            ["b_dec"] = randn(5, generator: generator),
        };
        string[] latentVectors = architecture == "standard" ? ["b_enc"] : ["b_gate", "b_mag", "r_mag"];
        foreach (string name in latentVectors) weights[name] = randn(7, generator: generator) * 0.5;
        Tensor x = randn(16, 5, generator: generator) * 2;

        // SAELens's encode with apply_b_dec_to_input = false, in float64.
        var w = weights.ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Float64));
        Tensor x64 = x.to(ScalarType.Float64);
        Tensor expected = architecture == "standard"
            ? nn.functional.relu(matmul(x64, w["W_enc"]) + w["b_enc"])
            : (matmul(x64, w["W_enc"]) + w["b_gate"] > 0).to(ScalarType.Float64)
              * nn.functional.relu(matmul(x64, w["W_enc"] * w["r_mag"].exp()) + w["b_mag"]);

        string cfg = V6Config(architecture, applyBDecToInput: false).Replace("\"d_in\": 2", "\"d_in\": 5").Replace("\"d_sae\": 3", "\"d_sae\": 7");
        string dir = WriteFolder(_temp.File(architecture), cfg, weights.ToDictionary(kv => kv.Key, kv => kv.Value.clone()));
        using ISparseAutoencoder sae = SaeLensFolder.Load(dir, dtype: ScalarType.Float64);

        Tensor actual = sae.Encode(x64);
        Assert.True(expected.gt(0).sum().ToInt64() > 10, "the test input should make several latents fire");
        Assert.True(actual.allclose(expected, rtol: 1e-9, atol: 1e-9), $"max difference {(actual - expected).abs().max().ToDouble()}");
    }

    [Fact]
    public void Legacy5FlatConfig_IsConvertedLikeSaeLensAndLoads()
    {
        string dir = WriteFolder(_temp.File("legacy"), Legacy5Config, StandardWeights());

        SaeLensConfig config = SaeLensFolder.ReadConfig(dir);
        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        using var scope = NewDisposeScope();

        Assert.True(config.IsLegacyFormat);
        Assert.Equal(("standard", 2, 3, "float32", "none", "none"),
            (config.Architecture, config.DIn, config.DSae, config.DType, config.NormalizeActivations, config.ReshapeActivations));
        SaeLensMetadata m = config.Metadata;
        Assert.Equal(("gpt2-small", "blocks.8.hook_resid_pre", "Skylion007/openwebtext", 128), (m.ModelName, m.HookName, m.DatasetPath, m.ContextSize));
        Assert.Equal(("5.10.2", "gpt2-small/8-res-jb", true), (m.SaeLensTrainingVersion, m.NeuronpediaId, m.PrependBos));
        Assert.Null(m.SaeLensVersion);
        Assert.Equal(JsonValueKind.True, m.ModelFromPretrainedKwargs!["center_writing_weights"].ValueKind);
        Assert.Equal(["seqpos_slice"], m.Extra.Keys);
        // SAELens v6 drops these; they are kept for inspection.
        Assert.Equal(["hook_layer", "activation_fn", "activation_fn_kwargs", "finetuning_scaling_factor", "dataset_trust_remote_code"], config.Extra.Keys);

        AssertClose(new double[,] { { 1.25, 4, 0 }, { 0.25, 0, 0 } }, sae.Encode(Inputs()), 0);
        AssertClose(new double[,] { { 1.5, 3.5 }, { 0.5, -0.5 } }, sae.Forward(Inputs()).Reconstruction, 0);
    }

    [Fact]
    public void EarlyLegacyConfig_RenamesHookPointAndDefaultsLikeSaeLens()
    {
        string dir = WriteFolder(_temp.File("early"), EarlyLegacyConfig, StandardWeights());

        SaeLensConfig config = SaeLensFolder.ReadConfig(dir);
        using ISparseAutoencoder sae = SaeLensFolder.Load(dir, dtype: ScalarType.Float64);
        using var scope = NewDisposeScope();

        Assert.True(config.IsLegacyFormat);
        Assert.Equal(("standard", "torch.float32", "mps", true, "none"),
            (config.Architecture, config.DType, config.Device, config.ApplyBDecToInput, config.NormalizeActivations));
        Assert.Equal(("blocks.0.hook_resid_pre", true), (config.Metadata.HookName, config.Metadata.PrependBos));
        Assert.Contains("hook_point_layer", config.Extra.Keys);
        Assert.Equal(8e-05, config.Extra["l1_coefficient"].GetDouble());
        Assert.Equal(ScalarType.Float64, sae.DType);
        AssertClose(new double[,] { { 1.5, 3.5 }, { 0.5, -0.5 } }, sae.Forward(Inputs().to(ScalarType.Float64)).Reconstruction, 0);
    }

    [Fact]
    public void LegacyHookZConfig_DefaultsToHookZReshaping_AndNormalizeTrueMeansExpectedAverage()
    {
        string cfg = EarlyLegacyConfig.Replace("blocks.0.hook_resid_pre", "blocks.0.attn.hook_z").Replace("\"seed\": 42", "\"normalize_activations\": true");
        string dir = WriteFolder(_temp.File("hookz"), cfg, null);

        SaeLensConfig config = SaeLensFolder.ReadConfig(dir);

        Assert.Equal(("hook_z", "expected_average_only_in"), (config.ReshapeActivations, config.NormalizeActivations));
    }

    [Fact]
    public void LegacyFinetuningScalingFactor_IsFoldedIntoTheDecoderRows()
    {
        string cfg = Legacy5Config.Replace("\"finetuning_scaling_factor\": false", "\"finetuning_scaling_factor\": true");
        Dictionary<string, Tensor> weights = StandardWeights();
        weights["finetuning_scaling_factor"] = tensor(new float[] { 2, 1, 0.5f });
        string dir = WriteFolder(_temp.File("scaled"), cfg, weights);

        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);
        using var scope = NewDisposeScope();

        // (f ⊙ s)·W_dec + b_dec with f = [1.25, 4, 0]: [2.5, 4, 0]·W_dec + b_dec.
        AssertClose(new double[,] { { 2.75, 3.5 }, { 0.75, -0.5 } }, sae.Forward(Inputs()).Reconstruction, 0);
    }

    [Fact]
    public void LegacyScalingFactorOfOnes_IsDropped_ButOtherValuesNeedTheConfigFlag()
    {
        Dictionary<string, Tensor> ones = StandardWeights();
        ones["scaling_factor"] = torch.ones(3);
        string okDir = WriteFolder(_temp.File("ones"), Legacy5Config, ones);
        using (ISparseAutoencoder sae = SaeLensFolder.Load(okDir))
        {
            AssertClose(new double[,] { { 1.5, 3.5 }, { 0.5, -0.5 } }, sae.Forward(Inputs()).Reconstruction, 0);
        }

        Dictionary<string, Tensor> scaled = StandardWeights();
        scaled["scaling_factor"] = tensor(new float[] { 2, 1, 1 });
        string badDir = WriteFolder(_temp.File("undeclared"), Legacy5Config, scaled);
        var error = Assert.Throws<SaeFormatException>(() => SaeLensFolder.Load(badDir));
        Assert.Equal("finetuning_scaling_factor", error.Key);
    }

    [Fact]
    public void ExpectedAverageOnlyIn_LoadsAsIsLikeSaeLensLoadFromDisk()
    {
        string dir = WriteFolder(_temp.File("expected"), V6Config("standard", normalize: "expected_average_only_in"), StandardWeights());

        using ISparseAutoencoder sae = SaeLensFolder.Load(dir);

        AssertClose(new double[,] { { 1.5, 3.5 }, { 0.5, -0.5 } }, sae.Forward(Inputs()).Reconstruction, 0);
    }

    [Theory]
    [InlineData("6.0.0", true)]
    [InlineData("6.18.0", true)]
    [InlineData("6.0.0-rc.0", true)]
    [InlineData("6.0.0rc2", true)]
    [InlineData("7.1", true)]
    [InlineData("6.0.0+local", true)]
    [InlineData("6.0.0.dev3", false)]
    [InlineData("6.0.0b1", false)]
    [InlineData("5.10.2", false)]
    [InlineData("3.0.0", false)]
    public void VersionThreshold_MatchesSaeLensHandleConfigDefaulting(string version, bool v6)
    {
        Assert.Equal(v6, SaeLensConfigJson.IsAtLeastV6(version));
    }
}
