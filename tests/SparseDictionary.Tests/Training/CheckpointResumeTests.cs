using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using SparseDictionary.Synthetic;
using SparseDictionary.Tests.Formats;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

/// <summary>
/// A run interrupted at step k and resumed from its checkpoint ends bit-identical to an uninterrupted run: every parameter
/// tensor exactly equal, and the same curve, resamplings and token counts. The data come through the pipeline the CLI
/// uses (an on-disk cache, cycled, read through a shuffle buffer), so the source's state is part of what must survive.
/// </summary>
public sealed class CheckpointResumeTests : IDisposable
{
    private const int DIn = 16;
    private readonly TempDirectory _temp = new();
    private readonly string _cache;

    public CheckpointResumeTests()
    {
        _cache = _temp.File("cache");
        using var data = SyntheticSparseData.Generate(dIn: DIn, features: 48, samples: 3000, meanActive: 3, seed: 11);
        using var writer = ActivationCacheWriter.Open(_cache, DIn, new ActivationCacheWriterOptions { ShardTokens = 700, ModelName = "m", HookName = "h" });
        writer.Append(data.Activations);
        writer.Complete();
    }

    public void Dispose() => _temp.Dispose();

    private static TrainerOptions Options(string? checkpoint, int every = 7) => new()
    {
        TotalSteps = 40, BatchSize = 128, LearningRate = 3e-3, WarmupSteps = 5, L1WarmupSteps = 4,
        InitializationTokens = 512, LogEverySteps = 3, Seed = 5, DeadWindowTokens = 1024,
        LearningRateShape = LearningRateShape.CosineWithHardRestarts, RestartCycles = 2,
        Resampling = new ResamplingOptions(IntervalSteps: 12, SampleTokens: 256, RewarmSteps: 6),
        Checkpoint = checkpoint is null ? null : new CheckpointOptions(checkpoint, every),
    };

    /// <summary>
    /// The architecture's parameters: λ = 8 (standard, gated); k = 4 and an AuxK dead window of 1024 tokens (TopK family);
    /// BatchTopK's threshold updated from step 2.
    /// </summary>
    private static ArchitectureSpec Spec(string architecture) => architecture switch
    {
        StandardArchitecture.ArchitectureName => new StandardSpec { L1Coefficient = 8 },
        GatedArchitecture.ArchitectureName => new GatedSpec { L1Coefficient = 8 },
        TopKArchitecture.ArchitectureName => new TopKSpec { K = 4, AuxKDeadWindowTokens = 1024 },
        BatchTopKArchitecture.ArchitectureName => new BatchTopKSpec { K = 4, AuxKDeadWindowTokens = 1024, ThresholdStartStep = 2 },
        _ => throw new ArgumentOutOfRangeException(nameof(architecture)),
    };

    private static SaeTrainer Trainer(ISparseAutoencoder sae, TrainerOptions options) => new(sae, Spec(sae.Architecture), options);

    private static ISparseAutoencoder NewSae(string architecture, long seed)
    {
        using var g = new Generator((ulong)seed);
        return Spec(architecture).CreateSae(DIn, 256, generator: g);
    }

    private ShuffleBuffer NewSource() => new(
        new CachedActivationSource(ActivationCacheReader.Open(_cache), new CachedActivationSourceOptions { Cycle = true }),
        new ShuffleBufferOptions { Capacity = 1000, Seed = 9 });

    /// <summary>Cancels the run once <paramref name="step"/> steps are done, the way Ctrl+C does between steps.</summary>
    private sealed class CancelAt(CancellationTokenSource cts, int step) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step) cts.Cancel();
        }
    }

    /// <summary>Throws like the CLI's progress bar after Ctrl+C.</summary>
    private sealed class ThrowAt(int step) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Step == step) throw new OperationCanceledException();
        }
    }

    private (ISparseAutoencoder Sae, TrainingResult Result) Uninterrupted(string architecture)
    {
        var sae = NewSae(architecture, 1);
        using var source = NewSource();
        return (sae, Trainer(sae, Options(null)).Train(source));
    }

    public static TheoryData<string, int> Interruptions => new()
    {
        { "standard", 2 },   // still training on the initialisation batches
        { "standard", 13 },  // just after a resampling, inside its rewarm
        { "gated", 25 },
        { "topk", 17 },
        { "batchtopk", 30 },
    };

    [Theory]
    [MemberData(nameof(Interruptions))]
    public void InterruptedAndResumedRunIsBitIdenticalToAnUninterruptedOne(string architecture, int stopAt)
    {
        var (expected, expectedResult) = Uninterrupted(architecture);
        using var _ = expected;
        string folder = _temp.File($"ckpt-{architecture}-{stopAt}");

        using (var first = NewSae(architecture, 1))
        using (var source = NewSource())
        using (var cts = new CancellationTokenSource())
        {
            var partial = Trainer(first, Options(folder)).Train(source, new CancelAt(cts, stopAt), cts.Token);
            Assert.Equal(TrainingEndReason.Cancelled, partial.EndReason);
            Assert.Equal(stopAt, partial.StepsCompleted);
        }
        using (var checkpoint = TrainingCheckpoint.Load(folder)) Assert.Equal(stopAt, checkpoint.Step);

        // A different initialisation: everything must come from the checkpoint.
        using var resumed = NewSae(architecture, 2);
        using var resumedSource = NewSource();
        var result = Trainer(resumed, Options(folder)).Resume(resumedSource, folder);

        AssertBitIdentical(expected, resumed);
        AssertSameRun(expectedResult, result);
        if (architecture is "topk" or "batchtopk")
        {
            // The resampling draws after the interruption come from the restored generator.
            Assert.Contains(expectedResult.Resamplings, r => r.Step > stopAt && r.LatentsResampled > 0);
        }
        if (expected is BatchTopKSae b) Assert.Equal((b.Threshold, b.ThresholdUpdates), (((BatchTopKSae)resumed).Threshold, ((BatchTopKSae)resumed).ThresholdUpdates));
    }

    [Fact]
    public void AProgressReporterThatThrowsOnCancellationLeavesACheckpointOfTheCompletedStep()
    {
        var (expected, expectedResult) = Uninterrupted("standard");
        using var _ = expected;
        string folder = _temp.File("ckpt-throw");
        using (var first = NewSae("standard", 1))
        using (var source = NewSource())
        {
            Assert.Throws<OperationCanceledException>(() => Trainer(first, Options(folder, every: 100)).Train(source, new ThrowAt(19)));
        }
        using var resumed = NewSae("standard", 3);
        using var resumedSource = NewSource();
        var result = Trainer(resumed, Options(folder)).Resume(resumedSource, folder);
        AssertBitIdentical(expected, resumed);
        AssertSameRun(expectedResult, result);
    }

    [Fact]
    public void ACrashBetweenTheTwoRenamesLeavesThePreviousCheckpointUsable()
    {
        var (expected, _) = Uninterrupted("standard");
        using var __ = expected;
        string folder = _temp.File("ckpt-crash");
        using (var first = NewSae("standard", 1))
        using (var source = NewSource())
        {
            // The save at step 14 fails after the step-7 checkpoint was moved aside: the folder is gone, the old one hidden.
            int saves = 0;
            AtomicDirectory.FaultInjection.Value = stage =>
            {
                if (stage == AtomicDirectory.Stage.PreviousMovedAside && ++saves == 1) throw new IOException("simulated crash");
            };
            try
            {
                var error = Assert.Throws<IOException>(() => Trainer(first, Options(folder)).Train(source));
                Assert.Equal("simulated crash", error.Message);
            }
            finally
            {
                AtomicDirectory.FaultInjection.Value = null;
            }
        }
        // AtomicDirectory moved the previous checkpoint back; a real crash would have left it hidden, so hide it by hand.
        string hidden = Path.Combine(_temp.Path, ".ckpt-crash.0123456789abcdef.old");
        Directory.Move(folder, hidden);
        Assert.Equal(hidden, TrainingCheckpoint.Find(folder));

        using var resumed = NewSae("standard", 5);
        using var resumedSource = NewSource();
        var result = Trainer(resumed, Options(folder)).Resume(resumedSource, folder);
        Assert.Equal(40, result.StepsCompleted);
        AssertBitIdentical(expected, resumed);

        // The resumed run saved to the folder again; deleting the checkpoint removes the stale hidden one too.
        Assert.Equal(Path.GetFullPath(folder), TrainingCheckpoint.Find(folder));
        TrainingCheckpoint.Delete(folder);
        Assert.Null(TrainingCheckpoint.Find(folder));
        Assert.False(Directory.Exists(hidden));
    }

    [Fact]
    public void ACorruptedTensorFileIsRejectedByItsChecksum()
    {
        string folder = SaveCheckpointAt(7);
        string tensors = Path.Combine(folder, TrainingCheckpoint.TensorsFileName);
        byte[] bytes = File.ReadAllBytes(tensors);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(tensors, bytes);
        var error = Assert.Throws<TrainingCheckpointException>(() => TrainingCheckpoint.Load(folder));
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(tensors, bytes[..^100]);
        Assert.Throws<TrainingCheckpointException>(() => TrainingCheckpoint.Load(folder));
    }

    [Fact]
    public void ResumingWithOtherOptionsNamesTheField()
    {
        string folder = SaveCheckpointAt(7);
        using var sae = NewSae("standard", 1);
        using var source = NewSource();
        var error = Assert.Throws<TrainingCheckpointException>(() =>
            Trainer(sae, Options(folder) with { BatchSize = 64 }).Resume(source, folder));
        Assert.Equal("batch_size", error.Field);

        using var gated = NewSae("gated", 1);
        Assert.Equal("architecture", Assert.Throws<TrainingCheckpointException>(() => Trainer(gated, Options(folder)).Resume(source, folder)).Field);
        Assert.Null(Assert.Throws<TrainingCheckpointException>(() => TrainingCheckpoint.Load(_temp.File("nothing-here"))).Field);
    }

    [Fact]
    public void CheckpointingNeedsAResumableSource()
    {
        using var sae = NewSae("standard", 1);
        using var source = new NotResumable(NewSource());
        var error = Assert.Throws<ArgumentException>(() => Trainer(sae, Options(_temp.File("x"))).Train(source));
        Assert.Contains("IResumableActivationSource", error.Message, StringComparison.Ordinal);
    }

    private sealed class NotResumable(IActivationSource inner) : IActivationSource
    {
        public int DIn => inner.DIn;

        public long Position => inner.Position;

        public Tensor? NextBatch(int batchSize) => inner.NextBatch(batchSize);

        public void Dispose() => inner.Dispose();
    }

    private string SaveCheckpointAt(int step)
    {
        string folder = _temp.File($"ckpt-at-{step}");
        using var sae = NewSae("standard", 1);
        using var source = NewSource();
        using var cts = new CancellationTokenSource();
        Trainer(sae, Options(folder, every: 100)).Train(source, new CancelAt(cts, step), cts.Token);
        return folder;
    }

    internal static void AssertBitIdentical(ISparseAutoencoder expected, ISparseAutoencoder actual)
    {
        Assert.Equal(expected.NamedParameters.Keys, actual.NamedParameters.Keys);
        foreach (var (name, p) in expected.NamedParameters)
        {
            var q = actual.NamedParameters[name];
            Assert.Equal(p.shape, q.shape);
            Assert.True(p.eq(q).all().item<bool>(), $"{name} differs (max |Δ| {(p - q).abs().max().ToDouble():G3})");
        }
    }

    private static void AssertSameRun(TrainingResult expected, TrainingResult actual)
    {
        Assert.Equal(expected.StepsCompleted, actual.StepsCompleted);
        Assert.Equal(expected.TokensSeen, actual.TokensSeen);
        Assert.Equal(expected.NormalizationScale, actual.NormalizationScale);
        Assert.Equal(expected.Resamplings, actual.Resamplings);
        Assert.Equal(expected.Curve.Count, actual.Curve.Count);
        for (int i = 0; i < expected.Curve.Count; i++)
        {
            var (e, a) = (expected.Curve[i], actual.Curve[i]);
            Assert.Equal((e.Step, e.Tokens, e.LearningRate, e.Loss, e.L0, e.DeadFraction), (a.Step, a.Tokens, a.LearningRate, a.Loss, a.L0, a.DeadFraction));
            Assert.Equal(e.Terms, a.Terms);
        }
    }
}
