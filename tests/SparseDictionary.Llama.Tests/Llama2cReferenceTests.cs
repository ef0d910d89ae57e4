using Xunit;
using Xunit.Abstractions;

namespace SparseDictionary.Llama.Tests;

/// <summary>stories260K against llama2.c run.c's own activations for "Once upon a time", at every layer and position.</summary>
public sealed class Llama2cReferenceTests(ITestOutputHelper output)
{
    private const double ResidualTolerance = 1e-4;
    private const double LogitTolerance = 2e-4;

    [Fact]
    public void Config_FromHeader()
    {
        LlamaConfig config = Llama2cCheckpoint.ReadConfig(Fixtures.Stories260K);

        Assert.Equal(new LlamaConfig(64, 172, 5, 8, 4, 512, 512, 1e-5, 10000, tieWordEmbeddings: true, 1, 2, torch.ScalarType.Float32), config);
        Assert.Equal(8, config.HeadDim);
        Assert.Equal(32, config.KvDim);
    }

    [Fact]
    public void EveryLayerAndPosition_MatchesRunC()
    {
        var reference = ReferenceDump.Read(Fixtures.Stories260KReference);
        Assert.Equal(Fixtures.OnceUponATime, reference.Tokens);
        using var scope = torch.NewDisposeScope();
        using var model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
        var points = Enumerable.Range(0, model.Config.LayerCount)
            .SelectMany(l => new[] { new HookPoint(l, HookSite.ResidualPre), new HookPoint(l, HookSite.ResidualMid), new HookPoint(l, HookSite.ResidualPost) })
            .ToArray();

        using LlamaForwardResult result = Forward(model, reference.TokensTensor(), new LlamaForwardOptions { Capture = points });

        double embed = TensorAssert.Close(reference.EmbedTensor(), result.Captured[new HookPoint(0, HookSite.ResidualPre)], ResidualTolerance, "embedding");
        double mid = 0, post = 0;
        for (int layer = 0; layer < model.Config.LayerCount; layer++)
        {
            mid = Math.Max(mid, TensorAssert.Close(reference.ResidMidOf(layer), result.Captured[new HookPoint(layer, HookSite.ResidualMid)], ResidualTolerance, $"resid_mid {layer}"));
            post = Math.Max(post, TensorAssert.Close(reference.ResidPostOf(layer), result.Captured[new HookPoint(layer, HookSite.ResidualPost)], ResidualTolerance, $"resid_post {layer}"));
            if (layer > 0)
            {
                // The residual entering a block is the one that left the block before.
                Assert.Equal(0, TensorAssert.MaxAbsDiff(result.Captured[new HookPoint(layer - 1, HookSite.ResidualPost)], result.Captured[new HookPoint(layer, HookSite.ResidualPre)]));
            }
        }
        torch.Tensor lastResidual = result.Captured[new HookPoint(model.Config.LayerCount - 1, HookSite.ResidualPost)];
        double finalNorm = TensorAssert.Close(reference.FinalNormTensor(), model.NormalizeFinal(lastResidual), ResidualTolerance, "final_norm");
        double logits = TensorAssert.Close(reference.LogitsTensor(), result.Logits!, LogitTolerance, "logits");
        output.WriteLine($"max |diff| vs run.c: embed {embed:G3}, resid_mid {mid:G3}, resid_post {post:G3}, final_norm {finalNorm:G3}, logits {logits:G3}");
    }

    [Fact]
    public void GreedyNextToken_IsTheReferenceAtEveryPosition()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
        using (torch.no_grad())
        {
            torch.Tensor logits = model.forward(torch.tensor(Fixtures.OnceUponATime).view(1, -1));

            long[] argmax = logits.argmax(-1).view(-1).data<long>().ToArray();
            // The reference's argmax_next line: each position predicts the next prompt token, then ",".
            Assert.Equal([403, 407, 261, 378, 432], argmax);
        }
    }

    [Fact]
    public void CapturedResidualPost_EqualsReferenceAtEachLayerCapturedAlone()
    {
        var reference = ReferenceDump.Read(Fixtures.Stories260KReference);
        using var scope = torch.NewDisposeScope();
        using var model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
        for (int layer = 0; layer < model.Config.LayerCount; layer++)
        {
            var point = new HookPoint(layer, HookSite.ResidualPost);
            using LlamaForwardResult result = Forward(model, reference.TokensTensor(), new LlamaForwardOptions { Capture = [point] });

            Assert.Equal([point], result.Captured.Keys);
            TensorAssert.Close(reference.ResidPostOf(layer), result.Captured[point], ResidualTolerance, point.Name);
        }
    }

    private static LlamaForwardResult Forward(LlamaModel model, torch.Tensor tokens, LlamaForwardOptions options)
    {
        using (torch.no_grad())
        {
            return model.Forward(tokens, options: options);
        }
    }
}
