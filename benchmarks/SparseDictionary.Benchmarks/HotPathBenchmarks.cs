using BenchmarkDotNet.Attributes;
using SparseDictionary.Autoencoders;
using SparseDictionary.Losses;
using SparseDictionary.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks;

/// <summary>
/// The encode/decode hot path and a full training step (forward, loss, backward, Adam, decoder renormalisation) of
/// the standard, Gated and TopK SAEs, on CUDA when present and on the CPU otherwise. The default run uses d_in 512 ×8;
/// <c>SPARSEDICTIONARY_BENCH_BIG=1</c> adds d_in 4096 and expansion 32 (slow on 2 cores). The harness modes of
/// Program.cs add the matmul roofline, the sparse step and memory (docs/performance.md).
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class HotPathBenchmarks
{
    private ISparseAutoencoder _sae = null!;
    private SaeLoss _loss = null!;
    private AdamOptimizer _optimizer = null!;
    private Tensor _x = null!;
    private Tensor _features = null!;
    private Device _device = null!;

    /// <summary>Architecture under test.</summary>
    [Params(StandardArchitecture.ArchitectureName, GatedArchitecture.ArchitectureName, TopKArchitecture.ArchitectureName)]
    public string Architecture { get; set; } = StandardArchitecture.ArchitectureName;

    /// <summary>Input width.</summary>
    [ParamsSource(nameof(DIns))]
    public int DIn { get; set; }

    /// <summary>Latents per input dimension.</summary>
    [ParamsSource(nameof(Expansions))]
    public int Expansion { get; set; }

    /// <summary>Input widths: 512, and 4096 with <c>SPARSEDICTIONARY_BENCH_BIG=1</c>.</summary>
    public static IEnumerable<int> DIns => Big ? [512, 4096] : [512];

    /// <summary>Expansions: 8, and 32 with <c>SPARSEDICTIONARY_BENCH_BIG=1</c>.</summary>
    public static IEnumerable<int> Expansions => Big ? [8, 32] : [8];

    private static bool Big => Environment.GetEnvironmentVariable("SPARSEDICTIONARY_BENCH_BIG") == "1";

    /// <summary>Tokens per batch.</summary>
    [Params(4096)]
    public int Batch { get; set; }

    /// <summary>Builds the SAE and a batch on the benchmark device.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = cuda.is_available() ? CUDA : CPU;
        using var generator = new Generator(1);
        int dSae = DIn * Expansion;
        Runtime.NativeAllocator.Configure();
        _sae = Harness.SaeWorkload.Create(Architecture, DIn, dSae, _device, ScalarType.Float32, generator);
        _loss = Harness.SaeWorkload.SpecFor(Architecture, dSae).CreateLoss(_sae, new TrainerOptions());
        _optimizer = new AdamOptimizer(_sae.NamedParameters);
        _x = randn(new long[] { Batch, DIn }, generator: generator).to(_device);
        using (no_grad()) _features = _sae.Encode(_x).DetachFromDisposeScope();
    }

    /// <summary>Frees native memory.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _optimizer.Dispose();
        _sae.Dispose();
        _x.Dispose();
        _features.Dispose();
    }

    /// <summary>Features of one batch.</summary>
    [Benchmark]
    public void Encode() => Run(() => { using var _ = no_grad(); _sae.Encode(_x); });

    /// <summary>Reconstruction of one batch's features.</summary>
    [Benchmark]
    public void Decode() => Run(() => { using var _ = no_grad(); _sae.Decode(_features); });

    /// <summary>Encode and decode.</summary>
    [Benchmark]
    public void Forward() => Run(() => { using var _ = no_grad(); _sae.Forward(_x); });

    /// <summary>A full training step.</summary>
    [Benchmark]
    public void TrainingStep() => Run(() =>
    {
        var forward = _sae.Forward(_x);
        var loss = _loss.Compute(_x, forward, _sae);
        _optimizer.ZeroGrad();
        loss.Total.backward();
        DecoderNorm.RemoveParallelGradient(_sae.DecoderWeight);
        _optimizer.Step(1e-4);
        DecoderNorm.NormalizeRows(_sae.DecoderWeight);
    });

    private void Run(Action body)
    {
        // As SaeTrainer does before each step: frees the previous call's finalizer-only native handles (timed; ~0.4 ms).
        Runtime.FinalizerSweep.Run();
        using var scope = NewDisposeScope();
        body();
        if (_device.type == DeviceType.CUDA) cuda.synchronize();
    }
}
