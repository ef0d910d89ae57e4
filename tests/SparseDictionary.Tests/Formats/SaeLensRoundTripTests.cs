using System.Text.Json;
using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Formats;

public sealed class SaeLensRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, ScalarType> Cases => new()
    {
        { "standard", ScalarType.Float32 },
        { "standard", ScalarType.Float64 },
        { "gated", ScalarType.Float32 },
        { "gated", ScalarType.Float64 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SaveThenLoad_GivesIdenticalParametersAndOutputs_AndKeepsMetadataAndSparsity(string architecture, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using ISparseAutoencoder sae = RandomSae(architecture, 6, 10, dtype, seed: 3);
        var metadata = new SaeLensMetadata
        {
            ModelName = "gpt2-small",
            HookName = "blocks.6.hook_resid_post",
            HookHeadIndex = 4,
            ModelClassName = "HookedTransformer",
            PrependBos = false,
            ContextSize = 256,
            DatasetPath = "Skylion007/openwebtext",
            ModelFromPretrainedKwargs = Json("""{"center_writing_weights": false, "n_devices": 2}"""),
            NeuronpediaId = "gpt2-small/6-res",
            SaeLensTrainingVersion = "6.5.0",
            Extra = Json("""{"seqpos_slice": [1, null], "exclude_special_tokens": [50256], "note": "héllo"}"""),
        };
        double[] sparsity = Enumerable.Range(0, 10).Select(i => i == 0 ? -10 : -Math.PI / i).ToArray();
        string dir = _temp.File("sae");

        SaeLensFolder.Save(sae, dir, metadata, sparsity);
        using ISparseAutoencoder loaded = SaeLensFolder.Load(dir);

        Assert.Equal(sae.GetType(), loaded.GetType());
        Assert.Equal((sae.DIn, sae.DSae, dtype), (loaded.DIn, loaded.DSae, loaded.DType));
        Assert.Equal(sae.NamedParameters.Keys.Order(), loaded.NamedParameters.Keys.Order());
        foreach ((string name, var p) in sae.NamedParameters)
        {
            Assert.True(Same(p, loaded.NamedParameters[name]), $"{name} differs after the round trip");
        }
        Tensor x = randn(32, 6, generator: new Generator(9)).to(dtype);
        SaeForward expected = sae.Forward(x), actual = loaded.Forward(x);
        Assert.True(expected.Features.gt(0).any().item<bool>(), "some latent should fire");
        Assert.True(Same(expected.Features, actual.Features));
        Assert.True(Same(expected.Reconstruction, actual.Reconstruction));

        SaeLensMetadata m = SaeLensFolder.ReadConfig(dir).Metadata;
        Assert.Equal(metadata with { ModelFromPretrainedKwargs = null, Extra = SaeLensMetadata.NoExtra, SaeLensVersion = "6.0.0" },
            m with { ModelFromPretrainedKwargs = null, Extra = SaeLensMetadata.NoExtra });
        AssertSameJson(metadata.ModelFromPretrainedKwargs, m.ModelFromPretrainedKwargs!);
        AssertSameJson(metadata.Extra, m.Extra);

        double[]? read = SaeLensFolder.ReadLog10FeatureSparsity(dir);
        Assert.Equal(sparsity.Select(v => (double)(float)v), read!);
    }

    [Fact]
    public void Load_ConvertsToTheRequestedDType_AndNoSparsityFileMeansNull()
    {
        using var scope = NewDisposeScope();
        using ISparseAutoencoder sae = RandomSae("standard", 4, 5, ScalarType.Float32, seed: 5);
        string dir = _temp.File("sae");
        SaeLensFolder.Save(sae, dir);

        using ISparseAutoencoder loaded = SaeLensFolder.Load(dir, CPU, ScalarType.Float64);

        Assert.Equal(ScalarType.Float64, loaded.DType);
        Assert.True(Same(sae.DecoderWeight.to(ScalarType.Float64), loaded.DecoderWeight));
        Assert.Null(SaeLensFolder.ReadLog10FeatureSparsity(dir));
        Assert.False(File.Exists(Path.Combine(dir, SaeLensFolder.SparsityFileName)));
    }

    [Fact]
    public void Save_KeepsAVersionOfSixOrLater_ButReplacesOlderOnesWithTheFormatVersion()
    {
        using ISparseAutoencoder sae = new StandardSae(2, 3);
        string dir = _temp.File("sae");

        SaeLensFolder.Save(sae, dir, new SaeLensMetadata { SaeLensVersion = "6.18.0" });
        Assert.Equal("6.18.0", SaeLensFolder.ReadConfig(dir).Metadata.SaeLensVersion);

        SaeLensFolder.Save(sae, dir, new SaeLensMetadata { SaeLensVersion = "5.10.2" });
        Assert.Equal(SaeLensFolder.FormatVersion, SaeLensFolder.ReadConfig(dir).Metadata.SaeLensVersion);
    }

    [Fact]
    public void LegacyFolder_LoadedAndSavedAgain_BecomesAV6FolderWithTheSameMetadata()
    {
        string legacy = SaeLensTestData.WriteFolder(_temp.File("legacy"), SaeLensTestData.Legacy5Config, SaeLensTestData.StandardWeights());
        SaeLensConfig before = SaeLensFolder.ReadConfig(legacy);
        using ISparseAutoencoder sae = SaeLensFolder.Load(legacy);

        string dir = _temp.File("v6");
        SaeLensFolder.Save(sae, dir, before.Metadata);
        SaeLensConfig after = SaeLensFolder.ReadConfig(dir);

        Assert.False(after.IsLegacyFormat);
        Assert.Equal(before.Metadata.HookName, after.Metadata.HookName);
        Assert.Equal(before.Metadata.NeuronpediaId, after.Metadata.NeuronpediaId);
        Assert.Equal(SaeLensFolder.FormatVersion, after.Metadata.SaeLensVersion);
        AssertSameJson(before.Metadata.Extra, after.Metadata.Extra);
    }

    internal static ISparseAutoencoder RandomSae(string architecture, int dIn, int dSae, ScalarType dtype, int seed)
    {
        var generator = new Generator((ulong)seed);
        ISparseAutoencoder sae = architecture == "standard"
            ? new StandardSae(dIn, dSae, dtype: dtype, generator: generator)
            : new GatedSae(dIn, dSae, dtype: dtype, generator: generator);
        // Non-zero biases and scales, and encoder weights that are not the decoder's transpose, so zeros hide nothing.
        using var _ = no_grad();
        foreach (var p in sae.NamedParameters.Values)
        {
            using Tensor noise = randn(p.shape, generator: generator).to(dtype);
            p.add_(noise * 0.3);
        }
        return sae;
    }

    /// <summary>Same dtype, shape and values, bit for bit.</summary>
    internal static bool Same(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.detach().cpu().contiguous().bytes.ToArray().SequenceEqual(b.detach().cpu().contiguous().bytes.ToArray());

    internal static IReadOnlyDictionary<string, JsonElement> Json(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    private static void AssertSameJson(IReadOnlyDictionary<string, JsonElement> expected, IReadOnlyDictionary<string, JsonElement> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach ((string key, JsonElement value) in expected)
        {
            Assert.True(JsonElement.DeepEquals(value, actual[key]), $"{key}: {value.GetRawText()} vs {actual[key].GetRawText()}");
        }
    }
}
