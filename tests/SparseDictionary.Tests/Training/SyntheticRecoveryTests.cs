using System.Diagnostics;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Synthetic;
using SparseDictionary.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace SparseDictionary.Tests.Training;

/// <summary>
/// The ground-truth benchmark: activations are sparse non-negative combinations of 256 known unit directions in 64
/// dimensions (~4 active per sample); a correctly trained SAE's decoder rows must find them.
/// </summary>
public class SyntheticRecoveryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("standard", 1.0, DecoderNormPolicy.UnitNormConstraint)]
    [InlineData("standard", 1.0, DecoderNormPolicy.WeightedL1)]
    [InlineData("gated", 4.0, DecoderNormPolicy.UnitNormConstraint)]
    public void RecoversTheTrueDictionary(string architecture, double l1, DecoderNormPolicy decoderNorm)
    {
        var sw = Stopwatch.StartNew();
        using var data = SyntheticSparseData.Generate(dIn: 64, features: 256, samples: 50_000, meanActive: 4, seed: 1);
        using var generator = new torch.Generator(7);
        ArchitectureSpec spec = architecture == StandardArchitecture.ArchitectureName
            ? new StandardSpec { L1Coefficient = l1 }
            : new GatedSpec { L1Coefficient = l1 };
        using ISparseAutoencoder sae = spec.CreateSae(64, 512, generator: generator);
        double before = SyntheticSparseData.MeanMaxCosineSimilarity(data.Dictionary, sae.DecoderWeight);
        using var source = new InMemoryActivationSource(data.Activations, seed: 3);
        var options = new TrainerOptions
        {
            TotalSteps = 1500, BatchSize = 1024, LearningRate = 2e-3, WarmupSteps = 100, LogEverySteps = 500,
            DecoderNorm = decoderNorm,
        };

        var result = new SaeTrainer(sae, spec, options).Train(source);

        double mmcs = SyntheticSparseData.MeanMaxCosineSimilarity(data.Dictionary, sae.DecoderWeight);
        var last = result.Curve[^1];
        output.WriteLine($"{architecture} ({decoderNorm}): mean max cosine similarity {before:F3} → {mmcs:F4}, L0 {last.L0:F2}, loss {last.Loss:F3}, {sw.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(TrainingEndReason.Completed, result.EndReason);
        Assert.True(before < 0.6, $"random init should not already match (was {before:F3})");
        Assert.True(mmcs >= 0.9, $"mean max cosine similarity {mmcs:F4} < 0.9");
        Assert.InRange(last.L0, 2.0, 32.0); // dense at init (~250 of 512); the true L0 is 4
    }
}
