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
        var config = new SaeRunConfig { Architecture = "batchtopk", Steps = steps, K = 4 };
        using var sae = (SparseDictionary.Autoencoders.BatchTopKSae)config.CreateSae(8, TorchSharp.torch.CPU, TorchSharp.torch.ScalarType.Float32);
        Assert.Equal((startStep, decay), (sae.ThresholdStartStep, sae.ThresholdDecay));
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
            "Architecture" => new SaeRunConfig { Architecture = "mystery" },
            "ExpansionFactor" => new SaeRunConfig { ExpansionFactor = 0 },
            "L1Coefficient" => new SaeRunConfig { L1Coefficient = double.NaN },
            "Steps" => new SaeRunConfig { Steps = -1 },
            "ResamplingIntervalSteps" => new SaeRunConfig { Resampling = true, ResamplingIntervalSteps = 0 },
            _ => new SaeRunConfig { Name = " " },
        };
        var error = Assert.ThrowsAny<ArgumentException>(bad.Validate);
        string expected = field == "Steps" ? "TotalSteps" : field;
        Assert.Equal(expected, error.ParamName);
    }

    [Fact]
    public void Lambda_IsTheL0CoefficientOfJumpRelu_Only()
    {
        Assert.Equal(0.25, new SaeRunConfig { Architecture = "jumprelu", L1Coefficient = 0.25 }.ToTrainerOptions().L0Coefficient);
        Assert.Equal(new TrainerOptions().L0Coefficient, new SaeRunConfig { Architecture = "standard", L1Coefficient = 0.25 }.ToTrainerOptions().L0Coefficient);
        Assert.Equal("K", Assert.ThrowsAny<ArgumentException>(() => new SaeRunConfig { Architecture = "topk", K = 0 }.Validate()).ParamName);
    }

    [Fact]
    public void ToTrainerOptions_CarriesEverySetting()
    {
        var config = new SaeRunConfig
        {
            L1Coefficient = 3, LearningRate = 5e-4, Schedule = LearningRateShape.CosineWithHardRestarts, WarmupSteps = 7, RestartCycles = 3,
            L1WarmupSteps = 11, Steps = 200, BatchSize = 64, GatedLoss = GatedLossVariant.WithoutAuxiliary, Resampling = true, Seed = 9,
        };
        TrainerOptions options = config.ToTrainerOptions();
        Assert.Equal((3.0, 5e-4, LearningRateShape.CosineWithHardRestarts, 7, 3, 11, 200, 64, GatedLossVariant.WithoutAuxiliary, 9L),
            (options.L1Coefficient, options.LearningRate, options.LearningRateShape, options.WarmupSteps, options.RestartCycles,
             options.L1WarmupSteps, options.TotalSteps, options.BatchSize, options.GatedLoss, options.Seed));
        // Resampling every quarter of the run by default.
        Assert.Equal(50, options.Resampling!.IntervalSteps);
        Assert.Null((config with { Resampling = false }).ToTrainerOptions().Resampling);
        Assert.Equal(30, (config with { ResamplingIntervalSteps = 30 }).ToTrainerOptions().Resampling!.IntervalSteps);
    }

    [Theory]
    [InlineData("standard", typeof(StandardSae))]
    [InlineData("gated", typeof(GatedSae))]
    [InlineData("topk", typeof(TopKSae))]
    [InlineData("batchtopk", typeof(BatchTopKSae))]
    [InlineData("jumprelu", typeof(JumpReluSae))]
    public void CreateSae_BuildsTheArchitectureAtTheExpandedWidth(string architecture, Type expected)
    {
        var config = new SaeRunConfig { Architecture = architecture, ExpansionFactor = 4, Seed = 3 };
        using ISparseAutoencoder a = config.CreateSae(16, CPU, ScalarType.Float32);
        using ISparseAutoencoder b = config.CreateSae(16, CPU, ScalarType.Float32);
        using ISparseAutoencoder c = (config with { Seed = 4 }).CreateSae(16, CPU, ScalarType.Float32);
        Assert.IsType(expected, a);
        Assert.Equal((16, 64, architecture), (a.DIn, a.DSae, a.Architecture));
        // The seed alone decides the initialisation.
        Assert.True(a.DecoderWeight.eq(b.DecoderWeight).all().item<bool>());
        Assert.False(a.DecoderWeight.eq(c.DecoderWeight).all().item<bool>());
    }
}
