// The synthetic ground-truth benchmark: activations are sparse non-negative combinations of a known random unit
// dictionary; each architecture is trained on them and scored by how well its decoder recovers the true features.
// Usage: dotnet run -c Release --project samples/SyntheticBenchmark [-- --steps N]
using System.Diagnostics;
using System.Globalization;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Evaluation;
using SparseDictionary.Runtime;
using SparseDictionary.Synthetic;
using SparseDictionary.Training;
using TorchSharp;

NativeAllocator.Configure(); // glibc malloc thresholds (docs/performance.md); SPARSEDICTIONARY_MALLOPT=0 switches it off

int steps = ArgValue("--steps", 1500);
const int DIn = 64, TrueFeatures = 256, DSae = 512;

using var data = SyntheticSparseData.Generate(DIn, TrueFeatures, samples: 50_000, meanActive: 4, seed: 1);
using var heldOut = SyntheticSparseData.Generate(DIn, TrueFeatures, samples: 8_192, meanActive: 4, seed: 1);
Console.WriteLine($"Synthetic benchmark: d_in {DIn}, {TrueFeatures} true features (~4 active per sample), {DSae} latents, {steps} steps of 1024");
Console.WriteLine();
Console.WriteLine($"{"run",-24} {"sparsity",8} {"MMCS",7} {"L0",7} {"EV",7} {"MSE",9} {"dead",6} {"time",7}");

// The TopK family keeps k = 4 latents per token, the true mean; Matryoshka's groups are d_sae/16, /8, /4 and the rest.
var runs = new (string Name, ArchitectureSpec Spec, bool Resample)[]
{
    ("standard (L1)", new StandardSpec { L1Coefficient = 1.0 }, false),
    ("standard + resampling", new StandardSpec { L1Coefficient = 1.0 }, true),
    ("gated (note's loss)", new GatedSpec { L1Coefficient = 4.0, GatedLoss = GatedLossVariant.WithoutAuxiliary }, false),
    ("gated (paper's loss)", new GatedSpec { L1Coefficient = 4.0 }, false),
    ("gated + resampling", new GatedSpec { L1Coefficient = 4.0 }, true),
    ("TopK", new TopKSpec { K = 4 }, false),
    ("BatchTopK", new BatchTopKSpec { K = 4 }, false),
    ("Matryoshka BatchTopK", new MatryoshkaBatchTopKSpec { K = 4 }, false),
};
foreach (var run in runs)
{
    var clock = Stopwatch.StartNew();
    using var generator = new torch.Generator(7);
    using ISparseAutoencoder sae = run.Spec.CreateSae(DIn, DSae, generator: generator);
    using var source = new InMemoryActivationSource(data.Activations, seed: 3);
    var options = new TrainerOptions
    {
        TotalSteps = steps, BatchSize = 1024, LearningRate = 2e-3, WarmupSteps = 100,
        Resampling = run.Resample ? new ResamplingOptions(IntervalSteps: Math.Max(1, steps / 4), SampleTokens: 8192, RewarmSteps: 50) : null,
    };
    new SaeTrainer(sae, run.Spec, options).Train(source);

    using var evalSource = new InMemoryActivationSource(heldOut.Activations, shuffle: false, cycle: false);
    var evaluators = SaeEvaluation.DefaultEvaluators(DSae);
    var metrics = SaeEvaluation.Evaluate(sae, evalSource, evaluators);
    foreach (var e in evaluators) (e as IDisposable)?.Dispose();
    double mmcs = SyntheticSparseData.MeanMaxCosineSimilarity(data.Dictionary, sae.DecoderWeight);
    Console.WriteLine($"{run.Name,-24} {run.Spec.Sparsity.Label,8} {mmcs,7:F4} {metrics[MetricNames.L0],7:F2} {metrics[MetricNames.ExplainedVariance],7:F4} " +
        $"{metrics[MetricNames.Mse],9:E2} {metrics[MetricNames.DeadFraction],6:F3} {clock.Elapsed.TotalSeconds,6:F1}s");
}
Console.WriteLine();
Console.WriteLine("MMCS: mean over true features of the best cosine similarity with a decoder row (1 = all recovered).");

int ArgValue(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
