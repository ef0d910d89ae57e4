using Xunit;
using Xunit.Abstractions;

namespace SparseDictionary.Llama.Tests;

public sealed class HuggingFaceCheckpointTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadConfig_MapsTheHuggingFaceKeys()
    {
        LlamaConfig config = HuggingFaceCheckpoint.ReadConfig(Fixtures.Stories260KHf);

        Assert.Equal(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 1e-5, 10000, tieWordEmbeddings: true, 1, 2, torch.ScalarType.Float32), config);
    }

    [Fact]
    public void HuggingFaceCopy_HasTheLlama2cWeightsWithQueryAndKeyRowsPermuted()
    {
        using var hf = HuggingFaceCheckpoint.Load(Fixtures.Stories260KHf);
        using var l2c = Llama2cCheckpoint.Load(Fixtures.Stories260K);
        var expected = hf.ParametersByName();
        var actual = l2c.ParametersByName();

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach ((string name, var parameter) in expected)
        {
            // Exactly equal: the llama2.c loader's permutation is the one the conversion to the HF layout applied.
            Assert.True(parameter.eq(actual[name]).all().item<bool>(), $"{name} differs between the two copies.");
        }
    }

    [Fact]
    public void HuggingFaceCopy_GivesTheLlama2cLogits()
    {
        using var scope = torch.NewDisposeScope();
        using var hf = HuggingFaceCheckpoint.Load(Fixtures.Stories260KHf);
        using var l2c = Llama2cCheckpoint.Load(Fixtures.Stories260K);
        var tokenizer = Llama2cTokenizer.Load(Fixtures.Tok512, 512);
        torch.Tensor tokens = torch.tensor(tokenizer.Encode("Once upon a time, there was a little girl named Lily. She loved to play outside.", addBos: true)).view(1, -1);

        using (torch.no_grad())
        {
            double diff = TensorAssert.Close(l2c.forward(tokens), hf.forward(tokens), 1e-5, "logits");
            output.WriteLine($"HF vs llama2.c copy, {tokens.shape[1]} positions: max |logit diff| {diff:G3}");
        }
    }

    [Fact]
    public void ShardedFolder_LoadsAndMatchesTheSingleFile()
    {
        HuggingFaceFolders.WriteSharded(_temp.Path);
        Assert.False(File.Exists(_temp.File("model.safetensors")));
        using var scope = torch.NewDisposeScope();
        using var sharded = HuggingFaceCheckpoint.Load(_temp.Path);
        using var single = HuggingFaceCheckpoint.Load(Fixtures.Stories260KHf);
        torch.Tensor tokens = torch.tensor(Fixtures.OnceUponATime).view(1, -1);

        using (torch.no_grad())
        {
            Assert.Equal(0, TensorAssert.MaxAbsDiff(single.forward(tokens), sharded.forward(tokens)));
        }
        var reference = ReferenceDump.Read(Fixtures.Stories260KReference);
        using (torch.no_grad())
        {
            TensorAssert.Close(reference.LogitsTensor(), sharded.forward(tokens), 2e-4, "sharded logits vs run.c");
        }
    }

    [Fact]
    public void ExtraRotaryFrequencies_AndTiedHead_AreIgnored()
    {
        HuggingFaceFolders.WriteSingle(_temp.Path, tensors =>
        {
            tensors["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch.ones(4);
            tensors["lm_head.weight"] = tensors["model.embed_tokens.weight"].clone();
        });

        using var model = HuggingFaceCheckpoint.Load(_temp.Path);

        Assert.DoesNotContain("lm_head.weight", model.ParametersByName().Keys);
    }

    [Theory]
    // Logits reach about ±19; bfloat16 keeps 8 significant bits and float16 11, over five residual layers.
    [InlineData(torch.ScalarType.BFloat16, 0.4)]
    [InlineData(torch.ScalarType.Float16, 0.08)]
    [InlineData(torch.ScalarType.Float64, 1e-4)]
    public void OtherDTypes_LoadAndTrackFloat32(torch.ScalarType dtype, double tolerance)
    {
        using var scope = torch.NewDisposeScope();
        using var reduced = HuggingFaceCheckpoint.Load(Fixtures.Stories260KHf, dtype);
        var reference = ReferenceDump.Read(Fixtures.Stories260KReference);

        Assert.All(reduced.parameters(), p => Assert.Equal(dtype, p.dtype));
        using (torch.no_grad())
        {
            torch.Tensor logits = reduced.forward(reference.TokensTensor());
            Assert.Equal(dtype, logits.dtype);
            double diff = TensorAssert.Close(reference.LogitsTensor(), logits, tolerance, $"{dtype} logits");
            Assert.Equal([403, 407, 261, 378, 432], logits.argmax(-1).view(-1).data<long>().ToArray());
            output.WriteLine($"{dtype}: max |logit diff| vs run.c {diff:G3}, max |logit| {reference.LogitsTensor().abs().max().ToSingle():G3}");
        }
    }

    [Fact]
    public void ModelParameters_AreTheLayoutTheLoadersCheck()
    {
        foreach (bool tied in new[] { true, false })
        {
            var config = new LlamaConfig(16, 24, 2, 4, 2, 300, 32, tieWordEmbeddings: tied);
            using var model = new LlamaModel(config);
            var expected = LlamaWeightLayout.Expected(config);
            var actual = model.ParametersByName();

            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            Assert.All(expected, e => Assert.Equal(e.Value, actual[e.Key].shape));
            Assert.All(actual.Values, p => Assert.False(p.requires_grad));
        }
    }
}
