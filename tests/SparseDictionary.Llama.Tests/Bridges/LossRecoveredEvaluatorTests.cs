using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using Xunit;
using Xunit.Abstractions;

namespace SparseDictionary.Llama.Tests.Bridges;

/// <summary>Loss recovered on stories260K with SAEs whose reconstruction is known exactly.</summary>
public sealed class LossRecoveredEvaluatorTests(ITestOutputHelper output) : IDisposable
{
    private static readonly HookPoint Layer1 = new(1, HookSite.ResidualPost);

    private readonly LlamaModel _model = Llama2cCheckpoint.Load(Fixtures.Stories260K);
    private readonly Llama2cTokenizer _tokenizer = Llama2cTokenizer.Load(Fixtures.Tok512, 512);

    public void Dispose() => _model.Dispose();

    private int[] LongPrompt => _tokenizer.Encode("Once upon a time, there was a little girl named Lily. She loved to play", addBos: true);

    private int[] ShortPrompt => _tokenizer.Encode("The cat sat on the mat", addBos: true);

    private static torch.Tensor Row(int[] ids) => torch.tensor(ids.Select(i => (long)i).ToArray()).view(1, -1);

    private LossRecoveredResult Evaluate(ISparseAutoencoder sae, int[] prompt, LossRecoveredOptions? options = null) =>
        LossRecoveredEvaluator.Evaluate(_model, sae, options ?? new LossRecoveredOptions(Layer1), Row(prompt));

    private void Log(string what, LossRecoveredResult r) => output.WriteLine(
        $"{what}: n {r.ScoredTokens}, CE clean {r.CeLossWithoutSae:G6}, sae {r.CeLossWithSae:G6}, zero {r.CeLossWithAblation:G6}, " +
        $"score {r.CeLossScore:G6}, KL sae {r.KlDivWithSae:G3}, KL zero {r.KlDivWithAblation:G3}");

    [Fact]
    public void IdentitySae_RecoversAllTheLoss()
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 1);
        LossRecoveredResult r = Evaluate(sae, LongPrompt);
        Log("identity", r);

        Assert.Equal(LongPrompt.Length - 1, r.ScoredTokens);
        Assert.Equal(r.CeLossWithoutSae, r.CeLossWithSae, 1e-6);
        Assert.Equal(1.0, r.CeLossScore, 1e-6);
        Assert.InRange(r.KlDivWithSae, -1e-6, 1e-6);
        Assert.Equal(0.0, r.CeLossDeltaMean, 1e-6);
        // The ablation must hurt, or a score of 1 would say nothing.
        Assert.True(r.CeLossWithAblation > r.CeLossWithoutSae + 0.5, "zero-ablating layer 1 should raise the loss a lot");
        Assert.True(r.KlDivWithAblation > 0.1);
    }

    [Fact]
    public void SaeInAnotherElementType_IsSplicedThroughItsOwnType()
    {
        // A float64 SAE in a float32 model: the site's value goes to float64 and back, and an exact SAE stays exact.
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 1);
        sae.MoveTo(torch.CPU, torch.ScalarType.Float64);
        LossRecoveredResult r = Evaluate(sae, LongPrompt);

        Assert.Equal(r.CeLossWithoutSae, r.CeLossWithSae, 1e-6);
        Assert.Equal(1.0, r.CeLossScore, 1e-6);
    }

    [Fact]
    public void NothingScored_GivesNaN()
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 1);
        var evaluator = new LossRecoveredEvaluator(_model, sae, new LossRecoveredOptions(Layer1));
        evaluator.Accumulate(Row([1])); // One token: nothing to predict.
        LossRecoveredResult r = evaluator.Result();

        Assert.Equal(0, r.ScoredTokens);
        Assert.All(r.ToMetrics().Values, v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void ZeroSae_IsAsBadAsZeroAblation()
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 0);
        LossRecoveredResult r = Evaluate(sae, LongPrompt);
        Log("zero", r);

        Assert.Equal(r.CeLossWithAblation, r.CeLossWithSae, 1e-6);
        Assert.Equal(0.0, r.CeLossScore, 1e-6);
        Assert.Equal(r.KlDivWithAblation, r.KlDivWithSae, 1e-6);
        Assert.Equal(0.0, r.KlDivScore, 1e-6);
    }

    [Fact]
    public void CleanCrossEntropy_MatchesAnIndependentComputation()
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 0.5);
        var evaluator = new LossRecoveredEvaluator(_model, sae, new LossRecoveredOptions(Layer1));
        double sum = 0;
        long count = 0;
        foreach (int[] prompt in new[] { LongPrompt, ShortPrompt })
        {
            evaluator.Accumulate(Row(prompt));
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            torch.Tensor logProbs = torch.nn.functional.log_softmax(_model.forward(Row(prompt))[0], 1).to(torch.ScalarType.Float64);
            for (int t = 0; t + 1 < prompt.Length; t++)
            {
                sum -= logProbs[t, prompt[t + 1]].ToDouble();
                count++;
            }
        }
        LossRecoveredResult r = evaluator.Result();
        Log("half", r);

        Assert.Equal(count, r.ScoredTokens);
        Assert.Equal(sum / count, r.CeLossWithoutSae, 1e-5);
    }

    [Fact]
    public void HalfReconstruction_LiesBetween_AndTheScoreFollowsFromTheThreeLosses()
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 0.5);
        var options = new LossRecoveredOptions(Layer1) { KeepPerTokenDeltas = true };
        LossRecoveredResult r = Evaluate(sae, LongPrompt, options);
        Log("half", r);

        Assert.True(r.CeLossWithoutSae < r.CeLossWithSae && r.CeLossWithSae < r.CeLossWithAblation, "0.5·x should be between clean and zero");
        double expected = 1 - (r.CeLossWithSae - r.CeLossWithoutSae) / (r.CeLossWithAblation - r.CeLossWithoutSae);
        // Strictly between, though close to 1: the next block's RMSNorm undoes most of a uniform scaling of the stream.
        Assert.True(r.CeLossScore > 0 && r.CeLossScore < 1, $"score {r.CeLossScore} should lie strictly between 0 and 1");
        Assert.Equal(expected, r.CeLossScore, 1e-12);
        IReadOnlyDictionary<string, double> metrics = r.ToMetrics();
        Assert.Equal(expected, metrics[LossRecoveredMetricNames.CeLossScore], 1e-12);
        Assert.Equal(r.CeLossWithSae, metrics["model_performance_preservation/ce_loss_with_sae"]);
        Assert.Equal(r.CeLossWithoutSae, metrics["model_performance_preservation/ce_loss_without_sae"]);
        Assert.Equal(r.CeLossWithAblation, metrics["model_performance_preservation/ce_loss_with_ablation"]);
        Assert.Equal(r.KlDivWithSae, metrics["model_behavior_preservation/kl_div_with_sae"]);
        Assert.True(r.KlDivWithSae > 0 && r.KlDivWithSae < r.KlDivWithAblation);

        // The per-token deltas: their mean is the difference of the means, and the quantiles are ordered order statistics.
        IReadOnlyList<float> deltas = r.PerTokenCeLossDeltas!;
        Assert.Equal(r.ScoredTokens, deltas.Count);
        Assert.Equal(r.CeLossWithSae - r.CeLossWithoutSae, deltas.Average(d => (double)d), 1e-5);
        Assert.Equal(r.CeLossDeltaMean, deltas.Average(d => (double)d), 1e-5);
        double[] quantiles = [.. r.CeLossDeltaQuantiles.Select(q => q.Value)];
        Assert.Equal(options.DeltaQuantiles, r.CeLossDeltaQuantiles.Select(q => q.Key));
        Assert.Equal(quantiles.Order(), quantiles);
        Assert.InRange(quantiles[0], deltas.Min(), deltas.Max());
        float[] sorted = [.. deltas.Order()];
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + (double)sorted[sorted.Length / 2]) / 2;
        Assert.Equal(median, metrics[LossRecoveredMetricNames.CeLossDeltaQuantile(0.5)], 1e-6);
        Assert.Equal("model_performance_preservation/ce_loss_delta_p50", LossRecoveredMetricNames.CeLossDeltaQuantile(0.5));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void PaddedBatch_GivesTheMetricsOfThePromptsScoredSeparately(int batchSize)
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 0.5);
        int[] shortPrompt = ShortPrompt, longPrompt = LongPrompt;
        int seq = longPrompt.Length;
        Assert.True(seq > shortPrompt.Length + 3);
        // Padded with a real token id, so only the mask keeps it out.
        long[] padded = [.. shortPrompt.Select(i => (long)i), .. Enumerable.Repeat(400L, seq - shortPrompt.Length)];
        torch.Tensor batch = torch.tensor([.. padded, .. longPrompt.Select(i => (long)i)]).view(2, seq);
        torch.Tensor mask = torch.tensor([.. padded.Select((_, i) => i < shortPrompt.Length ? 1L : 0L), .. Enumerable.Repeat(1L, seq)]).view(2, seq);
        var options = new LossRecoveredOptions(Layer1) { BatchSize = batchSize };

        LossRecoveredResult together = LossRecoveredEvaluator.Evaluate(_model, sae, options, batch, mask);
        LossRecoveredResult a = Evaluate(sae, shortPrompt, options);
        LossRecoveredResult b = Evaluate(sae, longPrompt, options);
        Log("batched", together);

        Assert.Equal(a.ScoredTokens + b.ScoredTokens, together.ScoredTokens);
        double Weighted(Func<LossRecoveredResult, double> f) => (f(a) * a.ScoredTokens + f(b) * b.ScoredTokens) / together.ScoredTokens;
        double clean = Weighted(r => r.CeLossWithoutSae), withSae = Weighted(r => r.CeLossWithSae), zero = Weighted(r => r.CeLossWithAblation);
        Assert.Equal(clean, together.CeLossWithoutSae, 2e-5);
        Assert.Equal(withSae, together.CeLossWithSae, 2e-5);
        Assert.Equal(zero, together.CeLossWithAblation, 2e-5);
        Assert.Equal(Weighted(r => r.KlDivWithSae), together.KlDivWithSae, 2e-5);
        Assert.Equal(Weighted(r => r.KlDivWithAblation), together.KlDivWithAblation, 2e-5);
        Assert.Equal(1 - (withSae - clean) / (zero - clean), together.CeLossScore, 1e-4);
        // The stream's score is not the mean of the prompts' scores.
        Assert.NotEqual((a.CeLossScore + b.CeLossScore) / 2, together.CeLossScore, 6);
    }

    [Fact]
    public void Baseline_GivesEachSaeTheSameResultAsThreeFullPasses_AndOnlyFitsItsOwnHookPoint()
    {
        int[] shortPrompt = ShortPrompt, longPrompt = LongPrompt;
        int seq = longPrompt.Length;
        long[] padded = [.. shortPrompt.Select(i => (long)i), .. Enumerable.Repeat(400L, seq - shortPrompt.Length)];
        torch.Tensor batch = torch.tensor([.. padded, .. longPrompt.Select(i => (long)i)]).view(2, seq);
        torch.Tensor mask = torch.tensor([.. padded.Select((_, i) => i < shortPrompt.Length ? 1L : 0L), .. Enumerable.Repeat(1L, seq)]).view(2, seq);
        var options = new LossRecoveredOptions(Layer1) { BatchSize = 1 };
        using LossRecoveredBaseline baseline = LossRecoveredBaseline.Compute(_model, options, batch, mask);
        Assert.Equal(shortPrompt.Length - 1 + longPrompt.Length - 1, baseline.ScoredTokens);

        foreach (double scale in new[] { 0.5, 0.0, 1.0 })
        {
            using var sae = LinearSaes.Scaled(_model.Config.Dim, scale);
            LossRecoveredResult direct = LossRecoveredEvaluator.Evaluate(_model, sae, options, batch, mask);
            var evaluator = new LossRecoveredEvaluator(_model, sae, options);
            evaluator.Accumulate(baseline);
            LossRecoveredResult reused = evaluator.Result();
            // The same operations on the same values: equal to the last bit.
            Assert.Equal(
                (direct.ScoredTokens, direct.CeLossWithoutSae, direct.CeLossWithSae, direct.CeLossWithAblation, direct.KlDivWithSae, direct.KlDivWithAblation),
                (reused.ScoredTokens, reused.CeLossWithoutSae, reused.CeLossWithSae, reused.CeLossWithAblation, reused.KlDivWithSae, reused.KlDivWithAblation));
        }

        using var other = LinearSaes.Scaled(_model.Config.Dim, 1);
        var elsewhere = new LossRecoveredEvaluator(_model, other, new LossRecoveredOptions(new HookPoint(2, HookSite.ResidualPost)));
        var error = Assert.Throws<ArgumentException>(() => elsewhere.Accumulate(baseline));
        Assert.Contains("blocks.1.hook_resid_post", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bos_KeepsItsCleanValueUnlessSpliced()
    {
        // Two tokens: the only prediction is made at position 0, the BOS, which sees nothing else.
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 0);
        int[] prompt = [1, 403];
        LossRecoveredResult kept = Evaluate(sae, prompt);
        LossRecoveredResult spliced = Evaluate(sae, prompt, new LossRecoveredOptions(Layer1) { SpliceBos = true });

        Assert.Equal(kept.CeLossWithoutSae, kept.CeLossWithAblation, 1e-6);
        Assert.Equal(kept.CeLossWithoutSae, kept.CeLossWithSae, 1e-6);
        Assert.True(Math.Abs(spliced.CeLossWithAblation - spliced.CeLossWithoutSae) > 0.1, "zeroing the BOS residual should change the prediction");
    }

    [Fact]
    public void ScoreMask_SelectsThePredictedTokens()
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 0.5);
        int[] prompt = LongPrompt;
        torch.Tensor lastOnly = torch.zeros(1, prompt.Length, torch.ScalarType.Int64);
        lastOnly[0, prompt.Length - 1] = torch.tensor(1L);
        LossRecoveredResult r = LossRecoveredEvaluator.Evaluate(_model, sae, new LossRecoveredOptions(Layer1), Row(prompt), scoreMask: lastOnly);

        Assert.Equal(1, r.ScoredTokens);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.Tensor logits = _model.forward(Row(prompt))[0, prompt.Length - 2];
        Assert.Equal(-torch.nn.functional.log_softmax(logits, 0)[prompt[^1]].ToDouble(), r.CeLossWithoutSae, 1e-5);
    }

    [Fact]
    public void SaeOfTheWrongWidth_IsRejectedNamingBothWidths()
    {
        using var sae = LinearSaes.Scaled(32, 1);
        var e = Assert.Throws<ArgumentException>(() => new LossRecoveredEvaluator(_model, sae, new LossRecoveredOptions(Layer1)));
        Assert.Contains("32", e.Message, StringComparison.Ordinal);
        Assert.Contains("64", e.Message, StringComparison.Ordinal);
        Assert.Equal("sae", e.ParamName);
    }

    [Fact]
    public void HookLayerOutOfRange_IsRejected()
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 1);
        var e = Assert.Throws<ArgumentException>(
            () => new LossRecoveredEvaluator(_model, sae, new LossRecoveredOptions(new HookPoint(5, HookSite.ResidualPost))));
        Assert.Contains("blocks.5.hook_resid_post", e.Message, StringComparison.Ordinal);
        Assert.Contains("5 layers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_RejectBadValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossRecoveredOptions(Layer1) { BatchSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossRecoveredOptions(Layer1) { DeltaQuantiles = [0.5, 1.5] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LossRecoveredOptions(Layer1) { DeltaQuantiles = [double.NaN] });
    }

    [Fact]
    public void MaskOfTheWrongShape_IsRejected()
    {
        using var sae = LinearSaes.Scaled(_model.Config.Dim, 1);
        var evaluator = new LossRecoveredEvaluator(_model, sae, new LossRecoveredOptions(Layer1));
        var e = Assert.Throws<ArgumentException>(() => evaluator.Accumulate(Row(ShortPrompt), torch.ones(1, 3)));
        Assert.Equal("attentionMask", e.ParamName);
    }
}
