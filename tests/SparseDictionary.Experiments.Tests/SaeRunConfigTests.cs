using System.Text.Json.Nodes;
using SparseDictionary.Autoencoders;
using SparseDictionary.Experiments.Runs;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Experiments.Tests;

public sealed class SaeRunConfigTests
{
    [Theory]
    [InlineData(160, 40, 0.9375)]
    [InlineData(20_000, 1000, 0.999)]
    public void BatchTopK_ThresholdEstimate_FitsTheRunLength(int steps, int startStep, double decay)
    {
        var config = new SaeRunConfig { Architecture = new BatchTopKSpec { K = 4 }, Training = SaeRunConfig.DefaultTraining with { TotalSteps = steps } };
        using var sae = (BatchTopKSae)config.CreateSae(8, CPU, ScalarType.Float32);
        // The schedule is derived from the run's length when training starts: θ is first set at the start step, then
        // follows an EMA with the decay.
        sae.OnTrainingStart(config.Training);
        using var first = tensor(new double[,] { { 0, 2 }, { 3, 0 } });
        using var second = tensor(new double[,] { { 0, 1 }, { 4, 0 } });
        sae.OnStepEnd(new SaeForward(first, first, first), startStep - 1);
        Assert.Equal(0, sae.ThresholdUpdates);
        sae.OnStepEnd(new SaeForward(first, first, first), startStep);
        Assert.Equal((1L, 2.0), (sae.ThresholdUpdates, sae.Threshold));
        sae.OnStepEnd(new SaeForward(second, second, second), startStep + 1);
        Assert.Equal(decay * 2 + (1 - decay) * 1, sae.Threshold, 12);
        sae.OnTrainingEnd();
    }

    [Theory]
    [InlineData("Architecture")]
    [InlineData("ExpansionFactor")]
    [InlineData("L1Coefficient")]
    [InlineData("Steps")]
    [InlineData("ResamplingIntervalSteps")]
    [InlineData("Name")]
    public void Validate_NamesTheBadField(string field)
    {
        SaeRunConfig bad = field switch
        {
            "Architecture" => new SaeRunConfig { Architecture = null! },
            "ExpansionFactor" => new SaeRunConfig { ExpansionFactor = 0 },
            "L1Coefficient" => new SaeRunConfig { Architecture = new StandardSpec { L1Coefficient = double.NaN } },
            "Steps" => new SaeRunConfig { Training = SaeRunConfig.DefaultTraining with { TotalSteps = -1 } },
            "ResamplingIntervalSteps" => new SaeRunConfig { Training = SaeRunConfig.DefaultTraining with { Resampling = new ResamplingOptions(IntervalSteps: 0) } },
            _ => new SaeRunConfig { Name = " " },
        };
        var error = Assert.ThrowsAny<ArgumentException>(bad.Validate);
        string expected = field switch { "Steps" => "TotalSteps", "ResamplingIntervalSteps" => "IntervalSteps", _ => field };
        Assert.Equal(expected, error.ParamName);
    }

    [Fact]
    public void Lambda_IsTheL0CoefficientOfJumpRelu_Only()
    {
        var jumpRelu = new SaeRunConfig { Architecture = new JumpReluSpec { L0Coefficient = 0.25 } };
        using (ISparseAutoencoder sae = jumpRelu.CreateSae(8, CPU, ScalarType.Float32))
        {
            WeightedLossTerm penalty = Assert.Single(jumpRelu.CreateLoss(sae).Terms, t => t.IsSparsityPenalty);
            Assert.Equal((typeof(JumpReluL0Loss), 0.25), (penalty.Term.GetType(), penalty.Coefficient));
        }
        var standard = new SaeRunConfig { Architecture = new StandardSpec { L1Coefficient = 0.25 } };
        using (ISparseAutoencoder sae = standard.CreateSae(8, CPU, ScalarType.Float32))
        {
            // A standard SAE's λ is its L1 coefficient; it has no L0 term.
            WeightedLossTerm penalty = Assert.Single(standard.CreateLoss(sae).Terms, t => t.IsSparsityPenalty);
            Assert.Equal((typeof(L1SparsityLoss), 0.25), (penalty.Term.GetType(), penalty.Coefficient));
            Assert.DoesNotContain(standard.CreateLoss(sae).Terms, t => t.Term is JumpReluL0Loss);
        }
        Assert.Equal("K", Assert.ThrowsAny<ArgumentException>(() => new SaeRunConfig { Architecture = new TopKSpec { K = 0 } }.Validate()).ParamName);
    }

    [Fact]
    public void Json_CarriesEverySetting()
    {
        SaeRunConfig config = SaeRunConfigJson.FromJson(JsonNode.Parse("""
            { "architecture": "gated", "l1_coefficient": 3, "gated_loss": "without_auxiliary", "learning_rate": 5e-4,
              "learning_rate_shape": "cosine_with_hard_restarts", "warmup_steps": 7, "restart_cycles": 3, "l1_warmup_steps": 11,
              "total_steps": 200, "batch_size": 64, "seed": 9, "resampling": { "interval_steps": 50 } }
            """)!.AsObject());
        TrainerOptions options = config.Training;
        Assert.Equal(new GatedSpec { L1Coefficient = 3, GatedLoss = GatedLossVariant.WithoutAuxiliary }, config.Architecture);
        Assert.Equal((5e-4, LearningRateShape.CosineWithHardRestarts, 7, 3, 11, 200, 64, 9L),
            (options.LearningRate, options.LearningRateShape, options.WarmupSteps, options.RestartCycles,
             options.L1WarmupSteps, options.TotalSteps, options.BatchSize, options.Seed));
        Assert.Equal(50, options.Resampling!.IntervalSteps);
        // The loss carries λ and the gated loss variant: no auxiliary term.
        using (ISparseAutoencoder sae = config.CreateSae(8, CPU, ScalarType.Float32))
        {
            SaeLoss loss = config.CreateLoss(sae);
            Assert.Equal(3.0, Assert.Single(loss.Terms, t => t.IsSparsityPenalty).Coefficient);
            Assert.DoesNotContain(loss.Terms, t => t.Term is GatedAuxiliaryLoss);
        }
        // The JSON form reads back as the same run.
        Assert.Equal(config, SaeRunConfigJson.FromJson(SaeRunConfigJson.ToJson(config)));
        // Resampling every quarter of the run by default.
        Assert.Equal(50, SaeRunConfig.ResamplingFor(options).IntervalSteps);
        Assert.Null(SaeRunConfigJson.FromJson(JsonNode.Parse("""{ "resampling": null }""")!.AsObject()).Training.Resampling);
        Assert.Equal(30, SaeRunConfigJson.FromJson(JsonNode.Parse("""{ "total_steps": 200, "resampling": { "interval_steps": 30 } }""")!.AsObject()).Training.Resampling!.IntervalSteps);
    }

    [Theory]
    [InlineData("standard", typeof(StandardSae))]
    [InlineData("gated", typeof(GatedSae))]
    [InlineData("topk", typeof(TopKSae))]
    [InlineData("batchtopk", typeof(BatchTopKSae))]
    [InlineData("jumprelu", typeof(JumpReluSae))]
    [InlineData("matryoshka_batchtopk", typeof(MatryoshkaBatchTopKSae))]
    public void CreateSae_BuildsTheArchitectureAtTheExpandedWidth(string architecture, Type expected)
    {
        var config = new SaeRunConfig
        {
            Architecture = SaeArchitectures.Get(architecture).DefaultSpec, ExpansionFactor = 4, Training = SaeRunConfig.DefaultTraining with { Seed = 3 },
        };
        using ISparseAutoencoder a = config.CreateSae(16, CPU, ScalarType.Float32);
        using ISparseAutoencoder b = config.CreateSae(16, CPU, ScalarType.Float32);
        using ISparseAutoencoder c = (config with { Training = config.Training with { Seed = 4 } }).CreateSae(16, CPU, ScalarType.Float32);
        Assert.IsType(expected, a);
        Assert.Equal((16, 64, architecture), (a.DIn, a.DSae, a.Architecture));
        // The seed alone decides the initialisation.
        Assert.True(a.DecoderWeight.eq(b.DecoderWeight).all().item<bool>());
        Assert.False(a.DecoderWeight.eq(c.DecoderWeight).all().item<bool>());
    }
}
