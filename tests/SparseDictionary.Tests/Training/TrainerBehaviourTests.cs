using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Synthetic;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

/// <summary>End-to-end properties of <see cref="SaeTrainer"/> that hold whatever the data.</summary>
public class TrainerBehaviourTests
{
    private static TrainerOptions ShortRun => new()
    {
        TotalSteps = 60, BatchSize = 256, LearningRate = 1e-3, InitializationTokens = 1024, LogEverySteps = 10,
    };

    private static readonly StandardSpec Spec = new() { L1Coefficient = 1.0 };

    [Fact]
    public void NormalisationMakesTrainingInvariantToTheActivationScale()
    {
        // With normalisation on, training on 1000·x must learn the same features as on x, and (after the scale is
        // folded back) reconstruct 1000·x as 1000 × the reconstruction of x.
        using var data = SyntheticSparseData.Generate(dIn: 16, features: 32, samples: 4096, meanActive: 2, seed: 3, dtype: ScalarType.Float64);
        using var small = TrainOn(data.Activations);
        using var big = TrainOn(data.Activations * 1000.0);

        using var scope = NewDisposeScope();
        var x = data.Activations.narrow(0, 0, 256);
        var fSmall = small.Sae.Encode(x);
        var fBig = big.Sae.Encode(x * 1000.0);
        Assert.True(fSmall.allclose(fBig, rtol: 1e-6, atol: 1e-8), "features differ");
        Assert.True((small.Sae.Decode(fSmall) * 1000.0).allclose(big.Sae.Decode(fBig), rtol: 1e-6, atol: 1e-6), "reconstructions differ");
        Assert.Equal(small.Result.NormalizationScale / 1000.0, big.Result.NormalizationScale, 9);
    }

    [Fact]
    public void NonFiniteActivationsStopTrainingNamingTheStep()
    {
        using var data = SyntheticSparseData.Generate(dIn: 8, features: 16, samples: 2048, meanActive: 2, seed: 4);
        var poisoned = data.Activations.clone();
        poisoned[1500, 3] = tensor(float.NaN);
        using var generator = new Generator(1);
        using var sae = new StandardSae(8, 16, generator: generator);
        using var source = new InMemoryActivationSource(poisoned, shuffle: false, cycle: false);
        var options = ShortRun with { BatchSize = 256, InitializationTokens = 256, NormalizeActivations = false, InitializeDecoderBiasToGeometricMedian = false };

        var error = Assert.Throws<TrainingDivergedException>(() => new SaeTrainer(sae, Spec, options).Train(source));
        Assert.Contains("step 5", error.Message); // rows 1280..1535 form the sixth batch (step 5)
        Assert.Contains("NaN", error.Message);
    }

    [Fact]
    public void StopsWhenTheSourceRunsOutAndReportsProgress()
    {
        using var data = SyntheticSparseData.Generate(dIn: 8, features: 16, samples: 1000, meanActive: 2, seed: 5);
        using var generator = new Generator(1);
        using var sae = new StandardSae(8, 16, generator: generator);
        using var source = new InMemoryActivationSource(data.Activations, shuffle: false, cycle: false);
        var reports = new List<TrainingProgress>();
        var progress = new SynchronousProgress<TrainingProgress>(reports.Add);

        var result = new SaeTrainer(sae, Spec, ShortRun with { BatchSize = 300, InitializationTokens = 300 }).Train(source, progress);

        Assert.Equal(TrainingEndReason.SourceExhausted, result.EndReason);
        Assert.Equal(4, result.StepsCompleted); // 300 + 300 + 300 + 100 tokens
        Assert.Equal(1000, result.TokensSeen);
        Assert.Equal(new[] { 1, 2, 3, 4 }, reports.Select(r => r.Step));
        Assert.Equal(1000, reports[^1].Tokens);
    }

    [Fact]
    public void MismatchedWidthIsRejected()
    {
        using var generator = new Generator(1);
        using var sae = new StandardSae(8, 16, generator: generator);
        using var source = new InMemoryActivationSource(ones(10, 9));
        var error = Assert.Throws<ArgumentException>(() => new SaeTrainer(sae, Spec, ShortRun).Train(source));
        Assert.Contains("9", error.Message);
        Assert.Contains("8", error.Message);
    }

    private static Trained TrainOn(Tensor activations)
    {
        using var generator = new Generator(9);
        var sae = new StandardSae(16, 48, dtype: ScalarType.Float64, generator: generator);
        using var source = new InMemoryActivationSource(activations, seed: 1);
        return new Trained(sae, new SaeTrainer(sae, Spec, ShortRun).Train(source));
    }

    private sealed record Trained(StandardSae Sae, TrainingResult Result) : IDisposable
    {
        public void Dispose() => Sae.Dispose();
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
