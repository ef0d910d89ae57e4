using System.Text.Json;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Formats;
using SparseDictionary.Losses;
using SparseDictionary.Synthetic;
using SparseDictionary.Tests.Formats;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Architectures;

/// <summary>The Matryoshka BatchTopK SAE: its prefix loss by hand, its place in the registry, SAELens files and training.</summary>
public sealed class MatryoshkaBatchTopKTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // d_in 2, groups [1, 2]: W_dec rows [1, 0], [0, 1], [1, 1]; b_dec [0.5, 0].
    // Features f = [[2, 1, 0], [0, 3, 1]] on x = [[2.5, 1], [1, 4]].
    // Prefix 1 (latent 0): x̂ = [[2.5, 0], [0.5, 0]], squared errors 1 and 0.25 + 16 = 16.25, mean 8.625.
    // Prefix 2 (all):      x̂ = [[2.5, 1], [1.5, 4]], squared errors 0 and 0.25, mean 0.125.
    private static (MatryoshkaBatchTopKSae Sae, Tensor X, SaeForward Forward) Tiny()
    {
        var sae = new MatryoshkaBatchTopKSae(2, [1, 2], k: 1, dtype: ScalarType.Float64);
        using (no_grad())
        {
            sae.DecoderWeight.copy_(tensor(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } }));
            sae.DecoderBias.copy_(tensor(new double[] { 0.5, 0 }));
        }
        var f = tensor(new double[,] { { 2, 1, 0 }, { 0, 3, 1 } });
        return (sae, tensor(new double[,] { { 2.5, 1 }, { 1, 4 } }), new SaeForward(f, sae.Decode(f), f));
    }

    [Fact]
    public void TheLossSumsEveryPrefixReconstruction_ByHand()
    {
        var (sae, x, forward) = Tiny();
        using var _ = sae;
        Assert.Equal(8.625 + 0.125, new MatryoshkaReconstructionLoss([1, 2]).Compute(x, forward, sae).ToDouble(), 12);
        Assert.Equal(0.5 * 8.625 + 2 * 0.125, new MatryoshkaReconstructionLoss([1, 2], [0.5, 2]).Compute(x, forward, sae).ToDouble(), 12);
    }

    [Fact]
    public void OneGroupIsThePlainReconstructionLoss()
    {
        var (sae, x, forward) = Tiny();
        using var _ = sae;
        Assert.Equal(0.125, new MatryoshkaReconstructionLoss([3]).Compute(x, forward, sae).ToDouble(), 12);
        Assert.Equal(new ReconstructionLoss().Compute(x, forward, sae).ToDouble(), new MatryoshkaReconstructionLoss([3]).Compute(x, forward, sae).ToDouble(), 12);
    }

    [Fact]
    public void GroupsThatDoNotSumToTheWidthAreRefused()
    {
        var (sae, x, forward) = Tiny();
        using var _ = sae;
        Assert.Throws<ArgumentException>(() => new MatryoshkaReconstructionLoss([1, 1]).Compute(x, forward, sae));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MatryoshkaBatchTopKSpec { Groups = [4, 4] }.CreateSae(2, 16));
        Assert.Equal("Groups", e.ParamName);
        Assert.Throws<ArgumentException>(() => new MatryoshkaBatchTopKSae(2, [2, 0], k: 1));
    }

    [Fact]
    public void TheSpecsLossIsThePrefixTermAndAuxK_AndDefaultGroupsFollowThePaperExample()
    {
        var spec = new MatryoshkaBatchTopKSpec { K = 4 };
        Assert.Equal(new[] { 128, 256, 512, 1152 }, spec.GroupsFor(2048));
        using var sae = spec.CreateSae(16, 2048);
        Assert.Equal(new[] { 128, 256, 512, 1152 }, ((MatryoshkaBatchTopKSae)sae).GroupSizes);
        var loss = spec.CreateLoss(sae, new TrainerOptions());
        Assert.IsType<MatryoshkaReconstructionLoss>(loss.Terms[0].Term);
        Assert.Equal(new[] { 128, 256, 512, 1152 }, ((MatryoshkaReconstructionLoss)loss.Terms[0].Term).GroupSizes);
        Assert.IsType<AuxKLoss>(loss.Terms[1].Term);
        Assert.Equal(TopKFamilySpec.DefaultAuxKCoefficient, loss.Terms[1].Coefficient);
    }

    [Fact]
    public void ItSavesAsSaeLensDoes_AJumpReluFolderWithItsThreshold()
    {
        using var sae = new MatryoshkaBatchTopKSae(4, [2, 6], k: 2, dtype: ScalarType.Float64) { Threshold = 0.25 };
        string folder = Path.Combine(_temp.Path, "m");
        SaeLensFolder.Save(sae, folder);
        using var cfg = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "cfg.json")));
        Assert.Equal(JumpReluArchitecture.ArchitectureName, cfg.RootElement.GetProperty("architecture").GetString());
        using var loaded = Assert.IsType<JumpReluSae>(SaeLensFolder.Load(folder));
        Assert.True(loaded.Threshold().allclose(full(8, 0.25, dtype: ScalarType.Float64)));
    }

    [Fact]
    public void ItRecoversTheSyntheticDictionary_AndItsFirstGroupReconstructsBetterThanTheSameLatentsOfBatchTopK()
    {
        // The ground truth of SparseArchitectureRecoveryTests: 256 unit directions in 64 dimensions, ~4 active per sample.
        using var data = SyntheticSparseData.Generate(dIn: 64, features: 256, samples: 50_000, meanActive: 4, seed: 1);
        var options = new TrainerOptions { TotalSteps = 600, BatchSize = 1024, LearningRate = 4e-3, WarmupSteps = 100, LogEverySteps = 100 };
        double PrefixError(ISparseAutoencoder sae, int prefix)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = data.Activations.narrow(0, 0, 4096);
            var f = sae.Encode(x).narrow(1, 0, prefix);
            var xHat = f.matmul(sae.DecoderWeight.narrow(0, 0, prefix)) + sae.DecoderBias;
            return ((x - xHat).square().sum(1).mean() / (x - x.mean([0])).square().sum(1).mean()).ToDouble();
        }

        var results = new List<(string Name, double Mmcs, double FirstGroupError)>();
        foreach (TopKFamilySpec spec in new TopKFamilySpec[] { new BatchTopKSpec { K = 4, ThresholdStartStep = 100 }, new MatryoshkaBatchTopKSpec { K = 4, ThresholdStartStep = 100 } })
        {
            using var generator = new Generator(7);
            using var sae = spec.CreateSae(64, 512, generator: generator);
            using var source = new InMemoryActivationSource(data.Activations, seed: 3);
            var result = new SaeTrainer(sae, spec, options).Train(source);
            Assert.Equal(4.0, result.Curve[^1].L0, 6);
            double mmcs = SyntheticSparseData.MeanMaxCosineSimilarity(data.Dictionary, sae.DecoderWeight);
            results.Add((sae.Architecture, mmcs, PrefixError(sae, 32)));
            output.WriteLine($"{sae.Architecture}: MMCS {mmcs:F4}, relative error of the first 32 latents alone {PrefixError(sae, 32):F3}");
        }
        Assert.True(results[1].Mmcs >= 0.8, $"Matryoshka MMCS {results[1].Mmcs:F4} < 0.8 (random init: ~0.5)");
        // What the nested loss buys: its first group (d_sae/16) reconstructs on its own far better than BatchTopK's first 32.
        Assert.True(results[1].FirstGroupError < results[0].FirstGroupError,
            $"first-group error {results[1].FirstGroupError:F3} (Matryoshka) vs {results[0].FirstGroupError:F3} (BatchTopK)");
    }
}
