using SparseDictionary.Autoencoders;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Experiments.Seed;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Tests;

public sealed class SeedExperimentPlanTests
{
    private static readonly SeedExperimentOptions Options = new() { ModelFolder = "m", CorporaFolder = "c", OutputFolder = "o" };

    [Fact]
    public void Plan_HasSixSweepsAndFiveAblations()
    {
        IReadOnlyList<SeedRunSpec> runs = SeedExperimentPlan.RunsFor(Options);
        // The note's 3 families × 4 λ, then per family: resampling flipped (3) and cosine restarts (standard and gated: 2);
        // then TopK, BatchTopK and Matryoshka BatchTopK × 3 k and JumpReLU × 3 L0 coefficients.
        Assert.Equal(17 + 12, runs.Count);
        Assert.Equal(12 + 12, runs.Count(r => r.Variant == SeedExperimentPlan.Sweep));
        Assert.Equal(runs.Count, runs.Select(r => r.Config.Name).Distinct().Count());
        foreach (SeedRunSpec run in runs) run.Config.Validate();
    }

    [Fact]
    public void Families_AreTheNotesComparisons()
    {
        IReadOnlyList<SeedRunSpec> runs = SeedExperimentPlan.RunsFor(Options);
        SeedRunSpec[] sweep = [.. runs.Where(r => r.Variant == SeedExperimentPlan.Sweep)];
        // The note's Gated SAE: no auxiliary term, no resampling. The paper's: full loss, resampling, like standard.
        Assert.All(sweep.Where(r => r.Family == SeedExperimentPlan.GatedNote),
            r => Assert.Equal(("gated", GatedLossVariant.WithoutAuxiliary, false), (r.Config.Architecture.Architecture.Name, ((GatedSpec)r.Config.Architecture).GatedLoss, Resamples(r))));
        Assert.All(sweep.Where(r => r.Family == SeedExperimentPlan.Gated),
            r => Assert.Equal(("gated", GatedLossVariant.Full, true), (r.Config.Architecture.Architecture.Name, ((GatedSpec)r.Config.Architecture).GatedLoss, Resamples(r))));
        Assert.All(sweep.Where(r => r.Family == SeedExperimentPlan.Standard),
            r => Assert.Equal(("standard", true), (r.Config.Architecture.Architecture.Name, Resamples(r))));
        Assert.Equal(Options.StandardL1Coefficients, sweep.Where(r => r.Family == SeedExperimentPlan.Standard).Select(r => ((StandardSpec)r.Config.Architecture).L1Coefficient));
        Assert.All(sweep, r => Assert.Equal(LearningRateShape.Constant, r.Config.Training.LearningRateShape));
    }

    [Fact]
    public void NewArchitectures_SweepTheirOwnSparsitySetting_WithoutResampling()
    {
        IReadOnlyList<SeedRunSpec> runs = SeedExperimentPlan.RunsFor(Options);
        foreach (string family in new[] { SeedExperimentPlan.TopK, SeedExperimentPlan.BatchTopK, SeedExperimentPlan.MatryoshkaBatchTopK })
        {
            SeedRunSpec[] sweep = [.. runs.Where(r => r.Family == family)];
            Assert.Equal(Options.TopKs, sweep.Select(r => ((TopKFamilySpec)r.Config.Architecture).K));
            Assert.All(sweep, r => Assert.Equal((family, false, SeedExperimentPlan.Sweep), (r.Config.Architecture.Architecture.Name, Resamples(r), r.Variant)));
        }
        Assert.Equal(["matryoshka_batchtopk-sweep-k-16", "matryoshka_batchtopk-sweep-k-32", "matryoshka_batchtopk-sweep-k-64"],
            runs.Where(r => r.Family == SeedExperimentPlan.MatryoshkaBatchTopK).Select(r => r.Config.Name));
        Assert.Equal(["topk-sweep-k-16", "topk-sweep-k-32", "topk-sweep-k-64"], runs.Where(r => r.Family == SeedExperimentPlan.TopK).Select(r => r.Config.Name));
        SeedRunSpec[] jump = [.. runs.Where(r => r.Family == SeedExperimentPlan.JumpRelu)];
        Assert.Equal(Options.JumpReluL0Coefficients, jump.Select(r => ((JumpReluSpec)r.Config.Architecture).L0Coefficient));
        // For JumpReLU the sweep's λ is the L0 coefficient the trainer uses.
        Assert.All(jump, r =>
        {
            using ISparseAutoencoder sae = r.Config.CreateSae(4, CPU, ScalarType.Float32);
            WeightedLossTerm penalty = Assert.Single(r.Config.CreateLoss(sae).Terms, t => t.IsSparsityPenalty);
            Assert.Equal((typeof(JumpReluL0Loss), ((JumpReluSpec)r.Config.Architecture).L0Coefficient), (penalty.Term.GetType(), penalty.Coefficient));
        });
        Assert.All(jump, r => Assert.False(Resamples(r)));
        Assert.Equal("λ0=0.3", jump[1].Config.Architecture.Sparsity.Label);
        Assert.All(jump, r => Assert.Equal((0.2, 0.5), (((JumpReluSpec)r.Config.Architecture).Bandwidth, ((JumpReluSpec)r.Config.Architecture).InitialThreshold)));

        IReadOnlyList<SeedRunSpec> without = SeedExperimentPlan.RunsFor(Options with { TopKs = [], JumpReluL0Coefficients = [] });
        Assert.Equal(17, without.Count);
    }

    [Fact]
    public void Ablations_ChangeOneThingAtTheAblationLambda()
    {
        IReadOnlyList<SeedRunSpec> runs = SeedExperimentPlan.RunsFor(Options);
        foreach (SeedRunSpec ablation in runs.Where(r => r.Variant != SeedExperimentPlan.Sweep))
        {
            SeedRunSpec baseline = runs.Single(r => r.Family == ablation.Family && r.Variant == SeedExperimentPlan.Sweep
                && r.Config.Architecture.Sparsity == ablation.Config.Architecture.Sparsity);
            Assert.Equal(SparsitySetting.L1(Options.StandardL1Coefficients[Options.AblationIndex]), ablation.Config.Architecture.Sparsity);
            TrainerOptions training = baseline.Config.Training;
            var expected = ablation.Variant == SeedExperimentPlan.CosineRestarts
                ? baseline.Config with { Training = training with { LearningRateShape = LearningRateShape.CosineWithHardRestarts }, Name = ablation.Config.Name }
                : baseline.Config with { Training = training with { Resampling = training.Resampling is null ? SaeRunConfig.ResamplingFor(training) : null }, Name = ablation.Config.Name };
            Assert.Equal(expected, ablation.Config);
        }
    }

    private static bool Resamples(SeedRunSpec run) => run.Config.Training.Resampling is not null;

    [Theory]
    [InlineData(6, new[] { 2, 3, 4 })]
    [InlineData(32, new[] { 2, 16, 30 })]
    [InlineData(4, new[] { 2 })]
    [InlineData(2, new[] { 0, 1 })]
    public void DefaultLayers_AreTwoMiddleAndSecondToLast(int layerCount, int[] expected)
    {
        Assert.Equal(expected, Options.LayersFor(layerCount));
    }

    [Fact]
    public void ExplicitLayers_PastTheModel_AreRejectedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => (Options with { Layers = [1, 6] }).LayersFor(6));
        Assert.Equal("Layers", error.ParamName);
        Assert.Contains("Layer 6", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadOptions_NameTheField()
    {
        Assert.Equal("AblationIndex", Assert.ThrowsAny<ArgumentException>(() => (Options with { AblationIndex = 4 }).Validate()).ParamName);
        Assert.Equal("GatedL1Coefficients", Assert.ThrowsAny<ArgumentException>(() => (Options with { GatedL1Coefficients = [] }).Validate()).ParamName);
        Assert.Equal("TrainTokens", Assert.ThrowsAny<ArgumentException>(() => (Options with { TrainTokens = 0 }).Validate()).ParamName);
        Assert.Equal("TopKs", Assert.ThrowsAny<ArgumentException>(() => (Options with { TopKs = [8, 0] }).Validate()).ParamName);
        Assert.Equal("JumpReluL0Coefficients", Assert.ThrowsAny<ArgumentException>(() => (Options with { JumpReluL0Coefficients = [double.NaN] }).Validate()).ParamName);
        Assert.Equal("BrowserTokens", Assert.ThrowsAny<ArgumentException>(() => (Options with { BrowserTokens = -1 }).Validate()).ParamName);
        Assert.Equal("BrowserSelection", Assert.ThrowsAny<ArgumentException>(() => (Options with { BrowserSelection = new(double.NaN, 0.5) }).Validate()).ParamName);
        (Options with { BrowserTokens = 0 }).Validate(); // 0 turns browsers off
    }

    [Fact]
    public void Quick_ShrinksTheBudgets_ButNeverRaisesAStepCountOrBrowserBudget()
    {
        SeedExperimentOptions quick = Options.Quick();
        Assert.Equal((32_768, 8_192, 8, 40, 512, 4_096), (quick.TrainTokens, quick.HeldOutTokens, quick.LossRecoveredWindows, quick.Steps, quick.BatchSize, quick.BrowserTokens));
        Assert.Equal(12, (Options with { Steps = 12 }).Quick().Steps);
        Assert.Equal(0, (Options with { BrowserTokens = 0 }).Quick().BrowserTokens);
        Assert.Equal(Options.StandardL1Coefficients, quick.StandardL1Coefficients);
    }
}
