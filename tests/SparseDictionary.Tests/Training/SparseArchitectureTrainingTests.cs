using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Synthetic;
using SparseDictionary.Training;
using SparseDictionary.Tests.Autoencoders;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

/// <summary>How <see cref="SaeTrainer"/> trains the TopK, BatchTopK and JumpReLU SAEs: default losses, AuxK, hooks.</summary>
public class SparseArchitectureTrainingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("standard", new[] { "l1_loss", "mse_loss" })]
    [InlineData("gated", new[] { "auxiliary_reconstruction_loss", "l1_loss", "mse_loss" })]
    [InlineData("topk", new[] { "auxk_loss", "mse_loss" })]
    [InlineData("batchtopk", new[] { "auxk_loss", "mse_loss" })]
    [InlineData("jumprelu", new[] { "l0_loss", "mse_loss" })]
    [InlineData("matryoshka_batchtopk", new[] { "auxk_loss", "mse_loss" })]
    public void DefaultLossPerArchitecture(string architecture, string[] terms)
    {
        ArchitectureSpec spec = architecture switch
        {
            StandardArchitecture.ArchitectureName => new StandardSpec { L1Coefficient = 0.3 },
            GatedArchitecture.ArchitectureName => new GatedSpec { L1Coefficient = 0.3 },
            TopKArchitecture.ArchitectureName => new TopKSpec { K = 2, AuxKCoefficient = 0.25, AuxKLatents = 5, AuxKDeadWindowTokens = 777 },
            BatchTopKArchitecture.ArchitectureName => new BatchTopKSpec { K = 2, AuxKCoefficient = 0.25, AuxKLatents = 5, AuxKDeadWindowTokens = 777 },
            MatryoshkaBatchTopKArchitecture.ArchitectureName => new MatryoshkaBatchTopKSpec { K = 2, AuxKCoefficient = 0.25, AuxKLatents = 5, AuxKDeadWindowTokens = 777 },
            JumpReluArchitecture.ArchitectureName => new JumpReluSpec { L0Coefficient = 0.7 },
            _ => throw new ArgumentOutOfRangeException(nameof(architecture)),
        };
        Assert.Same(SaeArchitectures.Get(architecture), spec.Architecture);
        using var sae = spec.CreateSae(4, 16);
        Assert.Equal(architecture, sae.Architecture);
        var loss = new SaeTrainer(sae, spec, new TrainerOptions()).Loss;
        Assert.Equal(terms, loss.Terms.Select(t => t.Term.Name).Order(StringComparer.Ordinal));
        foreach (var term in loss.Terms)
        {
            switch (term.Term)
            {
                case SparseDictionary.Losses.AuxKLoss auxK:
                    Assert.Equal((0.25, false, 5, 777L), (term.Coefficient, term.IsSparsityPenalty, auxK.AuxiliaryLatents, auxK.DeadWindowTokens));
                    break;
                case JumpReluL0Loss:
                    Assert.Equal((0.7, true), (term.Coefficient, term.IsSparsityPenalty));
                    break;
                case SparseDictionary.Losses.L1SparsityLoss:
                    Assert.Equal((0.3, true), (term.Coefficient, term.IsSparsityPenalty));
                    break;
                case MatryoshkaReconstructionLoss matryoshka:
                    // d_sae 16: groups d_sae/16, d_sae/8, d_sae/4 and the rest, each prefix weighted 1.
                    Assert.Equal([1, 2, 4, 9], matryoshka.GroupSizes);
                    Assert.Equal([1.0, 1.0, 1.0, 1.0], matryoshka.Weights);
                    break;
            }
        }
    }

    [Fact]
    public void ASpecOfAnotherArchitectureIsRejected()
    {
        using var sae = new StandardSae(4, 8);
        var error = Assert.Throws<ArgumentException>(() => new SaeTrainer(sae, new GatedSpec(), new TrainerOptions()));
        Assert.Equal("spec", error.ParamName);
        // The spec is validated too.
        Assert.Equal("L1Coefficient", Assert.ThrowsAny<ArgumentException>(() => new SaeTrainer(sae, new StandardSpec { L1Coefficient = -1 }, new TrainerOptions())).ParamName);
    }

    [Fact]
    public void AuxKRevivesLatentsThatRarelyMakeTheTopK()
    {
        // Latents 0–15 of a TopK SAE get encoder columns 10 times shorter than the others, so they almost never make the
        // top 2: they are dead (the AuxK window is 1,024 tokens here). Without the AuxK term they get no gradient; with it
        // (the paper's α = 1/32) they learn to reconstruct the residual of the live latents and start firing.
        (int Revived, double AuxK) Train(double auxKCoefficient)
        {
            using var data = SyntheticSparseData.Generate(dIn: 16, features: 32, samples: 8192, meanActive: 2, seed: 2);
            using var generator = new Generator(5);
            using var sae = new TopKSae(16, 64, k: 2, generator: generator);
            using (no_grad()) sae.EncoderWeight.narrow(1, 0, 16).mul_(0.1);
            using var source = new InMemoryActivationSource(data.Activations, seed: 1);
            var options = new TrainerOptions
            {
                TotalSteps = 400, BatchSize = 256, LearningRate = 5e-3, InitializationTokens = 1024, LogEverySteps = 100,
            };
            var spec = new TopKSpec { K = 2, AuxKCoefficient = auxKCoefficient, AuxKDeadWindowTokens = 1024 };
            var result = new SaeTrainer(sae, spec, options).Train(source);
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            int revived = (int)(sae.Encode(data.Activations) > 0).any(0).narrow(0, 0, 16).sum().ToInt64();
            double auxK = result.Curve[^1].Terms["auxk_loss"];
            output.WriteLine($"α = {auxKCoefficient}: {revived} of 16 weak latents fire; AuxK term at the end {auxK:F4}");
            return (revived, auxK);
        }

        var without = Train(0);
        var with = Train(1.0 / 32);
        Assert.InRange(without.Revived, 0, 3);
        Assert.True(with.Revived >= without.Revived + 4, $"{with.Revived} of 16 weak latents fire with AuxK, {without.Revived} without");
        // The term is computed (unweighted) either way; only training on it makes the dead latents predict the residual.
        Assert.True(with.AuxK < 0.8 * without.AuxK, $"AuxK term {with.AuxK:F4} with the term vs {without.AuxK:F4} without");
    }

    [Fact]
    public void BatchTopKLeavesTrainingModeEvenWhenTrainingFails()
    {
        using var data = SyntheticSparseData.Generate(dIn: 8, features: 16, samples: 1024, meanActive: 2, seed: 4);
        var poisoned = data.Activations.clone();
        poisoned[700, 3] = tensor(float.NaN);
        using var generator = new Generator(1);
        using var sae = new BatchTopKSae(8, 16, k: 2, generator: generator) { ThresholdStartStep = 0 };
        using var source = new InMemoryActivationSource(poisoned, shuffle: false, cycle: false);
        var options = new TrainerOptions
        {
            TotalSteps = 10, BatchSize = 256, InitializationTokens = 256, NormalizeActivations = false, InitializeDecoderBiasToGeometricMedian = false,
        };

        Assert.Throws<TrainingDivergedException>(() => new SaeTrainer(sae, new BatchTopKSpec { K = 2 }, options).Train(source));
        Assert.False(sae.IsTraining);
        // Steps 0 and 1 updated θ before step 2 (rows 512–767) diverged... or the NaN batch itself: at least 2 updates.
        Assert.InRange(sae.ThresholdUpdates, 2, 3);
    }

    [Fact]
    public void JumpReluL0WarmUpScalesOnlyThePenalty()
    {
        using var sae = TinySparseSaes.JumpRelu();
        using var scope = NewDisposeScope();
        var x = TinySparseSaes.JumpReluInput();
        var loss = new JumpReluSpec { L0Coefficient = 2 }.CreateLoss(sae, new TrainerOptions());
        var value = loss.Compute(x, sae.Forward(x), sae, sparsityScale: 0.25);
        // L0 = 1.5 (see JumpReluSaeTests); mse: r = (0.5, −0.5), (1.7, −1.7) → (0.5 + 5.78) / 2 = 3.14.
        TensorAssert.Close(1.5, value.Terms["l0_loss"]);
        TensorAssert.Close(3.14, value.Terms["mse_loss"], 1e-9);
        TensorAssert.Close(3.14 + 0.25 * 2 * 1.5, value.Total, 1e-9);
    }
}
