using System.Text.Json;
using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using TorchSharp;
using Xunit;

namespace SparseDictionary.Tests.Formats;

/// <summary>What Save writes is what SAELens 6 reads: the keys and values of cfg.json and the tensors of the weights file.</summary>
public sealed class SaeLensWrittenFormatTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void StandardSave_WritesSaeLensV6ConfigKeysAndValues()
    {
        using var sae = new StandardSae(4, 6);
        string dir = _temp.File("sae");

        SaeLensFolder.Save(sae, dir, new SaeLensMetadata { ModelName = "gpt2-small", HookName = "blocks.3.hook_resid_pre" });

        Assert.Equal(["cfg.json", "sae_weights.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        using JsonDocument cfg = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cfg.json")));
        JsonElement root = cfg.RootElement;
        // SAEConfig.to_dict's order.
        Assert.Equal(
            ["d_in", "d_sae", "dtype", "device", "apply_b_dec_to_input", "normalize_activations", "reshape_activations", "metadata", "architecture"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("standard", root.GetProperty("architecture").GetString());
        Assert.Equal(4, root.GetProperty("d_in").GetInt32());
        Assert.Equal(6, root.GetProperty("d_sae").GetInt32());
        Assert.Equal("float32", root.GetProperty("dtype").GetString());
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal(JsonValueKind.True, root.GetProperty("apply_b_dec_to_input").ValueKind);
        Assert.Equal("none", root.GetProperty("normalize_activations").GetString());
        Assert.Equal("none", root.GetProperty("reshape_activations").GetString());
        JsonElement metadata = root.GetProperty("metadata");
        string version = metadata.GetProperty("sae_lens_version").GetString()!;
        Assert.True(int.Parse(version.Split('.')[0]) >= 6, version);
        Assert.Equal("blocks.3.hook_resid_pre", metadata.GetProperty("hook_name").GetString());
        Assert.Equal("gpt2-small", metadata.GetProperty("model_name").GetString());
        Assert.Equal(JsonValueKind.Null, metadata.GetProperty("sae_lens_training_version").ValueKind);
        Assert.Equal(JsonValueKind.Null, metadata.GetProperty("hook_head_index").ValueKind);
        Assert.Equal(JsonValueKind.Object, metadata.GetProperty("model_from_pretrained_kwargs").ValueKind);
    }

    [Theory]
    [InlineData("standard", new[] { "W_dec", "W_enc", "b_dec", "b_enc" })]
    [InlineData("gated", new[] { "W_dec", "W_enc", "b_dec", "b_gate", "b_mag", "r_mag" })]
    public void Save_WritesExactlyTheSaeLensTensorNamesAndShapes(string architecture, string[] names)
    {
        using ISparseAutoencoder sae = architecture == "standard" ? new StandardSae(4, 6) : new GatedSae(4, 6);
        string dir = _temp.File("sae");

        SaeLensFolder.Save(sae, dir, log10FeatureSparsity: new double[6]);

        using (SafeTensorsFile file = SafeTensors.Open(Path.Combine(dir, "sae_weights.safetensors")))
        {
            Assert.Equal(names, file.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal));
            Assert.Equal([4L, 6L], file.Info("W_enc").Shape);
            Assert.Equal([6L, 4L], file.Info("W_dec").Shape);
            Assert.Equal([4L], file.Info("b_dec").Shape);
            foreach (string name in names.Where(n => n.StartsWith('b') || n.StartsWith('r')).Except(["b_dec"]))
            {
                Assert.Equal([6L], file.Info(name).Shape);
            }
            Assert.All(file.Tensors, t => Assert.Equal("F32", t.DType));
            Assert.Empty(file.Metadata);
        }
        using SafeTensorsFile sparsity = SafeTensors.Open(Path.Combine(dir, "sparsity.safetensors"));
        SafeTensorInfo info = Assert.Single(sparsity.Tensors);
        Assert.Equal(("sparsity", "F32"), (info.Name, info.DType));
        Assert.Equal([6L], info.Shape);
    }

    [Fact]
    public void Float64Sae_IsWrittenAsFloat64()
    {
        using var sae = new GatedSae(3, 2, dtype: torch.ScalarType.Float64);
        string dir = _temp.File("sae");

        SaeLensFolder.Save(sae, dir, reshapeActivations: "hook_z");

        SaeLensConfig config = SaeLensFolder.ReadConfig(dir);
        Assert.Equal(("gated", "float64", "hook_z"), (config.Architecture, config.DType, config.ReshapeActivations));
        using SafeTensorsFile file = SafeTensors.Open(Path.Combine(dir, "sae_weights.safetensors"));
        Assert.All(file.Tensors, t => Assert.Equal("F64", t.DType));
    }

    [Fact]
    public void Save_RejectsWhatCouldNotBeLoadedAgain()
    {
        using var sae = new StandardSae(2, 3);
        string dir = _temp.File("sae");

        Assert.Throws<ArgumentException>(() => SaeLensFolder.Save(sae, dir, log10FeatureSparsity: [0, 0]));
        Assert.Throws<ArgumentException>(() => SaeLensFolder.Save(sae, dir, log10FeatureSparsity: [0, double.NaN, 0]));
        Assert.Throws<ArgumentException>(() => SaeLensFolder.Save(sae, dir, reshapeActivations: "hook_q"));
        Assert.Throws<ArgumentException>(() => SaeLensFolder.Save(sae, dir,
            new SaeLensMetadata { Extra = SaeLensRoundTripTests.Json("""{"hook_name": "x"}""") }));
        using (torch.no_grad()) sae.DecoderBias[1] = float.PositiveInfinity;
        var error = Assert.Throws<ArgumentException>(() => SaeLensFolder.Save(sae, dir));
        Assert.Contains("b_dec", error.Message);
        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
    }
}
