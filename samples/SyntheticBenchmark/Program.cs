// The synthetic ground-truth benchmark: activations are sparse non-negative combinations of a known random unit
// dictionary; each architecture is trained on them and scored by how well its decoder recovers the true features.
// Usage: dotnet run -c Release --project samples/SyntheticBenchmark [-- --steps N]
using System.Diagnostics;
using System.Globalization;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Evaluation;
using SparseDictionary.Losses;
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
Console.WriteLine($"{"run",-24} {"λ",5} {"MMCS",7} {"L0",7} {"EV",7} {"MSE",9} {"dead",6} {"time",7}");

var runs = new (string Name, string Architecture, double L1, GatedLossVariant Gated, bool Resample)[]
{
    ("standard", "standard", 1.0, GatedLossVariant.Full, false),
    ("standard + resampling", "standard", 1.0, GatedLossVariant.Full, true),
    ("gated (note's loss)", "gated", 4.0, GatedLossVariant.WithoutAuxiliary, false),
    ("gated (paper's loss)", "gated", 4.0, GatedLossVariant.Full, false),
    ("gated + resampling", "gated", 4.0, GatedLossVariant.Full, true),
};
foreach (var run in runs)
{
    var clock = Stopwatch.StartNew();
    using var generator = new torch.Generator(7);
    using ISparseAutoencoder sae = run.Architecture == "standard"
        ? new StandardSae(DIn, DSae, generator: generator)
        : new GatedSae(DIn, DSae, generator: generator);
    using var source = new InMemoryActivationSource(data.Activations, seed: 3);
    var options = new TrainerOptions
    {
        TotalSteps = steps, BatchSize = 1024, LearningRate = 2e-3, WarmupSteps = 100, L1Coefficient = run.L1, GatedLoss = run.Gated,
        Resampling = run.Resample ? new ResamplingOptions(IntervalSteps: Math.Max(1, steps / 4), SampleTokens: 8192, RewarmSteps: 50) : null,
    };
    new SaeTrainer(sae, options).Train(source);

    using var evalSource = new InMemoryActivationSource(heldOut.Activations, shuffle: false, cycle: false);
    var evaluators = SaeEvaluation.DefaultEvaluators(DSae);
    var metrics = SaeEvaluation.Evaluate(sae, evalSource, evaluators);
    foreach (var e in evaluators) (e as IDisposable)?.Dispose();
    double mmcs = SyntheticSparseData.MeanMaxCosineSimilarity(data.Dictionary, sae.DecoderWeight);
    Console.WriteLine($"{run.Name,-24} {run.L1,5:G3} {mmcs,7:F4} {metrics[MetricNames.L0],7:F2} {metrics[MetricNames.ExplainedVariance],7:F4} " +
        $"{metrics[MetricNames.Mse],9:E2} {metrics[MetricNames.DeadFraction],6:F3} {clock.Elapsed.TotalSeconds,6:F1}s");
}
Console.WriteLine();
Console.WriteLine("MMCS: mean over true features of the best cosine similarity with a decoder row (1 = all recovered).");

int ArgValue(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
