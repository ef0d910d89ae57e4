using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Evaluation;
using SparseDictionary.Synthetic;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

/// <summary>
/// Three quarters of the latents are killed at the start (encoder column 0, bias −100: ReLU passes no gradient, so
/// they can never recover on their own). Resampling must bring them back and end with a lower loss.
/// </summary>
public class ResamplingIntegrationTests(ITestOutputHelper output)
{
    private const int DIn = 32, DSae = 256, Killed = 192;

    [Fact]
    public void ResamplingRevivesForcedDeadLatentsAndLowersTheLoss()
    {
        using var data = SyntheticSparseData.Generate(dIn: DIn, features: 128, samples: 20_000, meanActive: 3, seed: 11);
        var without = Train(data, resampling: null);
        var with = Train(data, new ResamplingOptions(IntervalSteps: 150, SampleTokens: 4096, RewarmSteps: 50, MaxResamples: 3));
        output.WriteLine($"without: dead {without.Dead:F3}, mse {without.Mse:F4}, fvu {without.Fvu:F4}");
        output.WriteLine($"with:    dead {with.Dead:F3}, mse {with.Mse:F4}, fvu {with.Fvu:F4}, resampled {string.Join(",", with.Result.Resamplings.Select(r => r.LatentsResampled))}");

        Assert.True(without.Dead >= Killed / (double)DSae, $"killed latents stayed dead without resampling ({without.Dead:F3})");
        Assert.Empty(without.Result.Resamplings);
        Assert.True(with.Result.Resamplings[0].LatentsResampled >= Killed, "the first round resamples at least every killed latent");
        Assert.True(with.Dead < 0.25, $"dead fraction after resampling {with.Dead:F3}");
        Assert.True(with.Mse < 0.8 * without.Mse, $"loss with resampling {with.Mse:F4} not clearly below {without.Mse:F4}");
    }

    private static (TrainingResult Result, double Dead, double Mse, double Fvu) Train(SyntheticSparseData data, ResamplingOptions? resampling)
    {
        using var generator = new Generator(5);
        using var sae = new StandardSae(DIn, DSae, generator: generator);
        using (no_grad())
        {
            var killed = arange(Killed);
            sae.EncoderWeight.index_fill_(1, killed, 0.0);
            sae.EncoderBias.index_fill_(0, killed, -100.0);
        }
        using var source = new InMemoryActivationSource(data.Activations, seed: 2);
        var options = new TrainerOptions
        {
            TotalSteps = 600, BatchSize = 512, LearningRate = 2e-3, WarmupSteps = 50, Resampling = resampling,
            LogEverySteps = 100,
        };
        var result = new SaeTrainer(sae, new StandardSpec { L1Coefficient = 1.0 }, options).Train(source);

        using var evalSource = new InMemoryActivationSource(data.Activations, shuffle: false, cycle: false);
        var evaluators = SaeEvaluation.DefaultEvaluators(DSae);
        var metrics = SaeEvaluation.Evaluate(sae, evalSource, evaluators, batchSize: 4096);
        foreach (var e in evaluators) (e as IDisposable)?.Dispose();
        return (result, metrics[MetricNames.DeadFraction], metrics[MetricNames.Mse], metrics[MetricNames.Fvu]);
    }
}
