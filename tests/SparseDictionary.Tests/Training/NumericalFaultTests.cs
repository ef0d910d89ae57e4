using Microsoft.Extensions.Logging;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Synthetic;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

/// <summary>NaN and Inf in activations or in the loss: stop naming the step and tensor, or skip and count; loss spikes are logged.</summary>
public sealed class NumericalFaultTests
{
    // Batches of 256 rows, in order: rows [256·k, 256·(k+1)) are step k's batch (the first batch is also the initialisation).
    private static TrainerOptions Options => new()
    {
        TotalSteps = 8, BatchSize = 256, LearningRate = 1e-3, InitializationTokens = 256, LogEverySteps = 1,
        NormalizeActivations = false, InitializeDecoderBiasToGeometricMedian = false,
    };

    private static readonly StandardSpec Spec = new() { L1Coefficient = 1.0 };

    private static (StandardSae Sae, InMemoryActivationSource Source) Setup(Action<Tensor> poison)
    {
        using var data = SyntheticSparseData.Generate(dIn: 8, features: 16, samples: 2048, meanActive: 2, seed: 4);
        var activations = data.Activations.clone();
        poison(activations);
        using var generator = new Generator(1);
        return (new StandardSae(8, 16, generator: generator), new InMemoryActivationSource(activations, shuffle: false, cycle: false));
    }

    [Fact]
    public void InfinityInTheActivationsStopsNamingTheStepAndTheTensor()
    {
        var (sae, source) = Setup(a => a[3 * 256 + 10, 2] = tensor(float.PositiveInfinity));
        using var _ = sae;
        using var __ = source;
        var error = Assert.Throws<TrainingDivergedException>(() => new SaeTrainer(sae, Spec, Options).Train(source));
        Assert.Equal((3, "activations"), (error.Step, error.Tensor));
        Assert.StartsWith("Training diverged at step 3: the input activations (256 tokens) contain NaN or Inf", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOverflowingLossStopsNamingTheLossTerm()
    {
        // Finite activations whose squared error overflows float32 (1e30² = 1e60): the MSE term is +Inf, the input is not.
        var (sae, source) = Setup(a => a[5 * 256 + 7, 0] = tensor(1e30f));
        using var _ = sae;
        using var __ = source;
        var error = Assert.Throws<TrainingDivergedException>(() => new SaeTrainer(sae, Spec, Options).Train(source));
        Assert.Equal(5, error.Step);
        Assert.Contains("mse_loss", error.Tensor, StringComparison.Ordinal);
        Assert.DoesNotContain("activations", error.Tensor, StringComparison.Ordinal);
        Assert.Contains("step 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SkippedBatchesAreCountedAndLeaveTheParametersUntouched()
    {
        var (sae, source) = Setup(a =>
        {
            a[2 * 256, 0] = tensor(float.NaN);
            a[6 * 256 + 255, 7] = tensor(1e30f);
        });
        using var _ = sae;
        using var __ = source;
        var log = new ListLogger();
        var options = Options with { NonFiniteBatches = NonFiniteBatchPolicy.Skip };
        var watch = new WatchStep(sae, 2, 6);
        var result = new SaeTrainer(sae, Spec, options, log).Train(source, watch);

        Assert.Equal(8, result.StepsCompleted);
        Assert.Equal(2, result.SkippedBatches);
        // Steps 2 and 6 changed no parameter: each step's end state equals the previous step's.
        Assert.True(watch.Unchanged.All(u => u), "a skipped step changed the parameters");
        Assert.All(sae.NamedParameters.Values, p => Assert.True(p.isfinite().all().item<bool>()));
        // Six trained batches of 256 tokens; curve points only for trained steps.
        Assert.Equal(6 * 256, result.Curve[^1].Tokens);
        Assert.Equal([0, 1, 3, 4, 5, 7], result.Curve.Select(p => p.Step));
        Assert.Contains(log.Messages, m => m.Contains("Step 2: batch skipped (activations not finite)", StringComparison.Ordinal));
        Assert.Contains(log.Messages, m => m.Contains("Step 6: batch skipped (mse_loss not finite)", StringComparison.Ordinal));
    }

    [Fact]
    public void ALossSpikeIsLoggedAndCounted()
    {
        // Step 14's batch is the same data times 30: its reconstruction loss is hundreds of times the running median.
        using var data = SyntheticSparseData.Generate(dIn: 8, features: 16, samples: 4096, meanActive: 2, seed: 4);
        var activations = data.Activations.clone();
        activations.narrow(0, 14 * 256, 256).mul_(30);
        using var generator = new Generator(1);
        using var sae = new StandardSae(8, 16, generator: generator);
        using var source = new InMemoryActivationSource(activations, shuffle: false, cycle: false);
        var log = new ListLogger();
        var result = new SaeTrainer(sae, Spec, Options with { TotalSteps = 16 }, log).Train(source);

        Assert.Equal(1, result.LossSpikes);
        string spike = Assert.Single(log.Messages, m => m.Contains(": loss spike,", StringComparison.Ordinal));
        Assert.StartsWith("Step 14: loss spike", spike, StringComparison.Ordinal);
    }

    [Fact]
    public void ACleanRunHasNoSkipsAndNoSpikes()
    {
        var (sae, source) = Setup(_ => { });
        using var _ = sae;
        using var __ = source;
        var result = new SaeTrainer(sae, Spec, Options).Train(source);
        Assert.Equal((8, 0, 0), (result.StepsCompleted, result.SkippedBatches, result.LossSpikes));
    }

    /// <summary>Records, for the given steps, whether the parameters after the step equal those before it.</summary>
    private sealed class WatchStep(ISparseAutoencoder sae, params int[] steps) : IProgress<TrainingProgress>
    {
        private Dictionary<string, Tensor> _previous = Snapshot(sae);

        public List<bool> Unchanged { get; } = new();

        public void Report(TrainingProgress value)
        {
            var now = Snapshot(sae);
            if (steps.Contains(value.Step - 1))
            {
                Unchanged.Add(now.All(kv => kv.Value.eq(_previous[kv.Key]).all().item<bool>()));
            }
            _previous = now;
        }

        private static Dictionary<string, Tensor> Snapshot(ISparseAutoencoder sae) =>
            sae.NamedParameters.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private sealed class ListLogger : ILogger<SaeTrainer>
    {
        public List<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
