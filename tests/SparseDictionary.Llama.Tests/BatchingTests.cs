using Xunit;
using Xunit.Abstractions;

namespace SparseDictionary.Llama.Tests;

/// <summary>Batches of documents of different lengths, right-padded, on aidreams260K (4 heads, 4 key/value heads).</summary>
public sealed class BatchingTests(ITestOutputHelper output)
{
    [Fact]
    public void Aidreams_LoadsAndRuns()
    {
        using var model = Llama2cCheckpoint.Load(Fixtures.Aidreams260K);
        Assert.Equal(new LlamaConfig(64, 172, 4, 4, 4, 512, 128, tieWordEmbeddings: true, weightDType: torch.ScalarType.Float32), model.Config);
        var tokenizer = Llama2cTokenizer.Load(Fixtures.AidreamsTok512, 512);
        using var scope = torch.NewDisposeScope();
        using (torch.no_grad())
        {
            torch.Tensor logits = model.forward(torch.tensor(tokenizer.Encode("I dreamed I was flying", addBos: true)).view(1, -1));

            Assert.True(logits.isfinite().all().item<bool>());
            Assert.Equal(512, logits.shape[2]);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PaddedBatch_GivesEachPromptsOwnLogitsAtRealPositions(bool hfModelWithGroupedQueries)
    {
        using var model = hfModelWithGroupedQueries ? HuggingFaceCheckpoint.Load(Fixtures.Stories260KHf) : Llama2cCheckpoint.Load(Fixtures.Aidreams260K);
        var tokenizer = Llama2cTokenizer.Load(hfModelWithGroupedQueries ? Fixtures.Tok512 : Fixtures.AidreamsTok512, 512);
        int[] shortPrompt = tokenizer.Encode("I saw a cat", addBos: true);
        int[] longPrompt = tokenizer.Encode("I was walking through a forest at night and the trees were singing", addBos: true);
        Assert.True(longPrompt.Length > shortPrompt.Length + 3);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        int seq = longPrompt.Length;
        // The short prompt is padded with a real token id, so that only the mask keeps it from being attended to.
        long[] padded = [.. shortPrompt, .. Enumerable.Repeat(400, seq - shortPrompt.Length)];
        torch.Tensor batch = torch.tensor([.. padded, .. longPrompt.Select(t => (long)t)]).view(2, seq);
        torch.Tensor mask = torch.tensor([.. padded.Select((_, i) => i < shortPrompt.Length ? 1L : 0L), .. Enumerable.Repeat(1L, seq)]).view(2, seq);
        var capture = new HookPoint(1, HookSite.ResidualPost);
        using LlamaForwardResult batched = model.Forward(batch, mask, new LlamaForwardOptions { Capture = [capture] });

        using LlamaForwardResult aloneShort = model.Forward(torch.tensor(shortPrompt).view(1, -1), options: new LlamaForwardOptions { Capture = [capture] });
        using LlamaForwardResult aloneLong = model.Forward(torch.tensor(longPrompt).view(1, -1), options: new LlamaForwardOptions { Capture = [capture] });
        // Not bit-identical: matrix products of other shapes sum in another order (float32 rounding, ~1e-5 on logits near 19).
        double shortDiff = TensorAssert.Close(aloneShort.Logits!, batched.Logits![0..1, ..shortPrompt.Length], 5e-5, "short prompt logits");
        double longDiff = TensorAssert.Close(aloneLong.Logits!, batched.Logits![1..2], 5e-5, "long prompt logits");
        TensorAssert.Close(aloneShort.Captured[capture], batched.Captured[capture][0..1, ..shortPrompt.Length], 1e-5, "short prompt residual");
        output.WriteLine($"batched vs alone, max |logit diff|: short {shortDiff:G3}, long {longDiff:G3}");
        Assert.True(batched.Logits!.isfinite().all().item<bool>());
    }

    [Fact]
    public void LeftPadding_IsHiddenByTheMask()
    {
        // Rotary attention depends only on relative positions, so a left-padded prompt whose padding is masked out gives
        // the prompt's own logits; without the mask the padding leaks in. This shows the mask reaches every layer.
        using var model = HuggingFaceCheckpoint.Load(Fixtures.Stories260KHf);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        const int pad = 3;
        torch.Tensor alone = torch.tensor(Fixtures.OnceUponATime).view(1, -1);
        torch.Tensor padded = torch.tensor([.. Enumerable.Repeat(400L, pad), .. Fixtures.OnceUponATime]).view(1, -1);
        torch.Tensor mask = torch.tensor([.. Enumerable.Repeat(0L, pad), .. Enumerable.Repeat(1L, Fixtures.OnceUponATime.Length)]).view(1, -1);

        torch.Tensor expected = model.forward(alone);
        using LlamaForwardResult masked = model.Forward(padded, mask);
        using LlamaForwardResult unmasked = model.Forward(padded);

        TensorAssert.Close(expected, masked.Logits![.., pad..], 1e-4, "masked left padding");
        Assert.True(TensorAssert.MaxAbsDiff(expected, unmasked.Logits![.., pad..]) > 0.1);
    }

    [Fact]
    public void FullyMaskedRows_GiveNoNaN()
    {
        using var model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.Tensor tokens = torch.tensor(Fixtures.OnceUponATime).view(1, -1).repeat(2, 1);
        // The second row is all padding, and the first is padded on the left: their early queries have no key to attend to.
        torch.Tensor mask = torch.tensor(new long[] { 0, 0, 1, 1, 1, 0, 0, 0, 0, 0 }).view(2, 5);

        using LlamaForwardResult result = model.Forward(tokens, mask);

        Assert.True(result.Logits!.isfinite().all().item<bool>());
    }

    [Fact]
    public void Int32Tokens_AndBoolMask_AreAccepted()
    {
        using var model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.Tensor tokens = torch.tensor(Fixtures.OnceUponATime).view(1, -1);

        using LlamaForwardResult reference = model.Forward(tokens);
        using LlamaForwardResult narrow = model.Forward(tokens.to(torch.ScalarType.Int32), torch.ones(1, 5, torch.ScalarType.Bool));

        Assert.Equal(0, TensorAssert.MaxAbsDiff(reference.Logits!, narrow.Logits!));
    }

    [Fact]
    public void BadTokensOrMask_AreRejected()
    {
        using var model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        Assert.Throws<ArgumentException>(() => model.Forward(torch.tensor(new long[] { 1, 512 }).view(1, 2)));
        Assert.Throws<ArgumentException>(() => model.Forward(torch.tensor(new long[] { 1, -1 }).view(1, 2)));
        Assert.Throws<ArgumentException>(() => model.Forward(torch.tensor(new long[] { 1, 2 })));
        Assert.Throws<ArgumentException>(() => model.Forward(torch.tensor(new float[] { 1, 2 }).view(1, 2)));
        Assert.Throws<ArgumentException>(() => model.Forward(torch.ones(1, 513, torch.ScalarType.Int64)));
        Assert.Throws<ArgumentException>(() => model.Forward(torch.ones(2, 3, torch.ScalarType.Int64), torch.ones(2, 4)));
    }
}
