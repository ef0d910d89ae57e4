using System.Diagnostics;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Synthetic;
using SparseDictionary.Training;
using TorchSharp;

int steps = args.Length > 0 ? int.Parse(args[0]) : 3000;
double l1 = args.Length > 1 ? double.Parse(args[1]) : 0.05;
double lr = args.Length > 2 ? double.Parse(args[2]) : 1e-3;
int dSae = args.Length > 3 ? int.Parse(args[3]) : 512;
torch.set_num_threads(2);
using var data = SyntheticSparseData.Generate(dIn: 64, features: 256, samples: 100_000, meanActive: 4, seed: 1);
foreach (var arch in new[] { "standard", "gated" })
{
    var sw = Stopwatch.StartNew();
    using var gen = new torch.Generator(7);
    ISparseAutoencoder sae = arch == "standard" ? new StandardSae(64, dSae, generator: gen) : new GatedSae(64, dSae, generator: gen);
    using var source = new InMemoryActivationSource(data.Activations, seed: 3);
    var opts = new TrainerOptions { TotalSteps = steps, BatchSize = 1024, L1Coefficient = l1, LearningRate = lr, WarmupSteps = 100, LogEverySteps = 500 };
    var result = new SaeTrainer(sae, opts).Train(source);
    double mmcs = SyntheticSparseData.MeanMaxCosineSimilarity(data.Dictionary, sae.DecoderWeight);
    var last = result.Curve[^1];
    Console.WriteLine($"{arch,-9} mmcs={mmcs:F4} loss={last.Loss:F4} L0={last.L0:F2} dead={last.DeadFraction:F3} {string.Join(" ", last.Terms.Select(t => $"{t.Key}={t.Value:F4}"))} time={sw.Elapsed.TotalSeconds:F1}s");
    sae.Dispose();
}
