using SparseDictionary.Autoencoders;
using SparseDictionary.Training;
using Xunit;

namespace SparseDictionary.Tests.Training;

public class TrainerOptionsTests
{
    [Fact]
    public void DefaultsAreValid()
    {
        new TrainerOptions().Validate();
        new TrainerOptions { Resampling = new ResamplingOptions() }.Validate();
    }

    [Fact]
    public void ValidateNamesTheBadField()
    {
        AssertNames("LearningRate", new TrainerOptions { LearningRate = 0 });
        AssertNames("LearningRate", new TrainerOptions { LearningRate = double.NaN });
        AssertNames("LearningRate", new TrainerOptions { LearningRate = double.PositiveInfinity });
        AssertNames("BatchSize", new TrainerOptions { BatchSize = 0 });
        AssertNames("TotalSteps", new TrainerOptions { TotalSteps = 0 });
        AssertNames("InitializationTokens", new TrainerOptions { InitializationTokens = 0 });
        AssertNames("LogEverySteps", new TrainerOptions { LogEverySteps = 0 });
        AssertNames("DeadWindowTokens", new TrainerOptions { DeadWindowTokens = 0 });
        AssertNames("L1WarmupSteps", new TrainerOptions { L1WarmupSteps = -1 });
        AssertNames("AdamBeta1", new TrainerOptions { AdamBeta1 = 1.0 });
        AssertNames("AdamBeta2", new TrainerOptions { AdamBeta2 = -0.1 });
        AssertNames("AdamEpsilon", new TrainerOptions { AdamEpsilon = 0 });
        AssertNames("WarmupSteps", new TrainerOptions { TotalSteps = 100, WarmupSteps = 200 });
        AssertNames("DecaySteps", new TrainerOptions { TotalSteps = 100, DecaySteps = -1 });
        AssertNames("Cycles", new TrainerOptions { LearningRateShape = LearningRateShape.CosineWithHardRestarts, RestartCycles = 0 });
        AssertNames("IntervalSteps", new TrainerOptions { Resampling = new ResamplingOptions(IntervalSteps: 0) });
        AssertNames("SampleTokens", new TrainerOptions { Resampling = new ResamplingOptions(SampleTokens: 0) });
        AssertNames("EncoderNormScale", new TrainerOptions { Resampling = new ResamplingOptions(EncoderNormScale: 0) });
        AssertNames("RewarmSteps", new TrainerOptions { Resampling = new ResamplingOptions(RewarmSteps: -1) });
        AssertNames("MaxResamples", new TrainerOptions { Resampling = new ResamplingOptions(MaxResamples: -1) });
        AssertNames("SparseStepMaxActivity", new TrainerOptions { SparseStepMaxActivity = 1.5 });
        AssertNames("SparseStepMaxActivity", new TrainerOptions { SparseStepMaxActivity = double.NaN });
    }

    [Fact]
    public void DefaultSpecsAreValid()
    {
        foreach (var architecture in SaeArchitectures.All) architecture.DefaultSpec.Validate();
    }

    [Fact]
    public void SpecValidateNamesTheBadParameter()
    {
        // The architecture parameters TrainerOptions used to hold now live in the specs.
        AssertNames("L1Coefficient", new StandardSpec { L1Coefficient = -1 });
        AssertNames("L1Coefficient", new GatedSpec { L1Coefficient = -1 });
        AssertNames("L0Coefficient", new JumpReluSpec { L0Coefficient = -1 });
        AssertNames("L0Coefficient", new JumpReluSpec { L0Coefficient = double.NaN });
        AssertNames("AuxKCoefficient", new TopKSpec { AuxKCoefficient = -0.5 });
        AssertNames("AuxKLatents", new TopKSpec { AuxKLatents = 0 });
        AssertNames("AuxKDeadWindowTokens", new TopKSpec { AuxKDeadWindowTokens = 0 });
        AssertNames("AuxKCoefficient", new BatchTopKSpec { AuxKCoefficient = -0.5 });
        AssertNames("AuxKLatents", new BatchTopKSpec { AuxKLatents = 0 });
        AssertNames("AuxKDeadWindowTokens", new BatchTopKSpec { AuxKDeadWindowTokens = 0 });
    }

    private static void AssertNames(string field, TrainerOptions options)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(field, ex.ParamName);
    }

    private static void AssertNames(string field, ArchitectureSpec spec)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(spec.Validate);
        Assert.Equal(field, ex.ParamName);
    }
}
