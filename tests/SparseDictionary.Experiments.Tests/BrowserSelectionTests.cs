using SparseDictionary.Bridges;
using SparseDictionary.Evaluation;
using SparseDictionary.Experiments.Results;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Experiments.Seed;
using Xunit;

namespace SparseDictionary.Experiments.Tests;

public sealed class BrowserSelectionTests
{
    private static readonly BrowserSelection Selection = new(MaxL0: 64, MaxDeadFraction: 0.5);

    [Fact]
    public void PicksTheBestLossRecoveredAmongSparseLiveSaes_NotTheDensest()
    {
        // The layer-2 shape of the seed experiment: the densest SAE recovers most, a mostly dead one is next.
        RunResult[] runs =
        [
            Run("gated-l1-1", l0: 298, dead: 0, score: 0.9966),
            Run("jumprelu-0.03", l0: 57, dead: 0.74, score: 0.9841),
            Run("topk-16", l0: 16, dead: 0, score: 0.9374),
            Run("topk-64", l0: 64, dead: 0, score: 0.9802),
            Run("batchtopk-64", l0: 61.8, dead: 0, score: 0.9721),
        ];
        Assert.Equal("topk-64", Pick(runs).Config.Name);
    }

    [Fact]
    public void FallsBackToTheBestLossRecovered_WhenNoSaeIsEligible()
    {
        RunResult[] runs = [Run("a", l0: 300, dead: 0, score: 0.95), Run("b", l0: 200, dead: 0, score: 0.97), Run("c", l0: 10, dead: 0.9, score: 0.90)];
        Assert.Equal("b", Pick(runs).Config.Name);
    }

    [Fact]
    public void AnEligibleSaeBeatsAnIneligibleOneWhateverTheOrder()
    {
        RunResult dense = Run("dense", l0: 300, dead: 0, score: 0.99), sparse = Run("sparse", l0: 20, dead: 0.1, score: 0.5);
        Assert.True(Selection.Prefers(sparse, dense));
        Assert.False(Selection.Prefers(dense, sparse));
        // The limits are inclusive.
        Assert.True(Selection.IsEligible(Run("edge", l0: 64, dead: 0.5, score: 0.5)));
        Assert.False(Selection.IsEligible(Run("over", l0: 64.01, dead: 0, score: 0.5)));
    }

    [Fact]
    public void NaNLossRecovered_NeverWins_ButIsReplaced()
    {
        RunResult unscored = Run("nan", l0: 10, dead: 0, score: double.NaN), scored = Run("scored", l0: 10, dead: 0, score: 0.1);
        Assert.False(Selection.Prefers(unscored, scored));
        Assert.True(Selection.Prefers(scored, unscored));
        Assert.True(Selection.Prefers(unscored, null));
        // A tie keeps the first.
        Assert.False(Selection.Prefers(Run("same", l0: 10, dead: 0, score: 0.1), scored));
    }

    private static RunResult Pick(IEnumerable<RunResult> runs)
    {
        RunResult? best = null;
        foreach (RunResult run in runs)
        {
            if (Selection.Prefers(run, best)) best = run;
        }
        return best!;
    }

    private static RunResult Run(string name, double l0, double dead, double score) => new(
        2, "blocks.2.hook_resid_post", "family", "sweep", new SaeRunConfig { Name = name },
        new Dictionary<string, double> { [MetricNames.L0] = l0, [MetricNames.DeadFraction] = dead, [LossRecoveredMetricNames.CeLossScore] = score },
        [], new Histogram([0, 1], [0]), 1, 0, 0, 0);
}
