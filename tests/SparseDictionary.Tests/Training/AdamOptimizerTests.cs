using SparseDictionary.Autoencoders;
using SparseDictionary.Tests.Autoencoders;
using SparseDictionary.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Training;

public class AdamOptimizerTests
{
    // A fixed gradient sequence with sign changes, zeros and very different magnitudes.
    private static readonly double[][,] Gradients =
    [
        new double[,] { { 1.0, -2.0, 0.5 }, { 0.0, 3.0, -0.1 } },
        new double[,] { { -0.5, -1.0, 0.5 }, { 2.0, 0.0, 0.3 } },
        new double[,] { { 0.25, 4.0, -1.5 }, { -1.0, 1.0, 0.0 } },
        new double[,] { { 2.0, 0.1, 0.0 }, { 0.5, -3.0, 10.0 } },
        new double[,] { { -1.0, 0.5, 2.5 }, { 0.0, 0.2, -0.4 } },
    ];

    [Theory]
    [InlineData(0.1, 0.8, 0.95, 1e-6)]
    [InlineData(1e-3, 0.9, 0.999, 1e-8)]
    public void MatchesTorchAdamOverSeveralSteps(double lr, double beta1, double beta2, double eps)
    {
        using var scope = NewDisposeScope();
        var start = tensor(new double[,] { { 0.3, -1.2, 2.0 }, { 0.7, 0.0, -0.5 } });
        var ours = new Parameter(start.clone());
        var reference = new Parameter(start.clone());
        using var optimizer = new AdamOptimizer([KeyValuePair.Create("w", ours)], beta1, beta2, eps);
        using var torchAdam = optim.Adam([reference], lr: lr, beta1: beta1, beta2: beta2, eps: eps);

        foreach (var g in Gradients)
        {
            var gradient = tensor(g);
            optimizer.ZeroGrad();
            (ours * gradient).sum().backward();
            optimizer.Step(lr);

            torchAdam.zero_grad();
            (reference * gradient).sum().backward();
            torchAdam.step();

            var a = TensorAssert.Values(ours);
            var b = TensorAssert.Values(reference);
            for (int i = 0; i < a.Length; i++)
            {
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6 * Math.Abs(b[i]) + 1e-12, $"element {i}: ours {a[i]:R}, torch {b[i]:R}");
            }
        }
        Assert.Equal(Gradients.Length, optimizer.StepCount);
        // Both parameters really moved, so the comparison is not between two untouched tensors.
        Assert.False(ours.allclose(start, rtol: 0, atol: lr / 10));
    }

    [Fact]
    public void ResetMomentsZeroesExactlyTheRequestedRowsOrColumns()
    {
        using var generator = new Generator(11);
        using var sae = new StandardSae(3, 5, dtype: ScalarType.Float64, generator: generator);
        using var optimizer = new AdamOptimizer(sae.NamedParameters);
        using var scope = NewDisposeScope();
        // Non-zero gradients everywhere, then a step so both moments are non-zero everywhere.
        Tensor loss = zeros(1, dtype: ScalarType.Float64);
        foreach (var (_, p) in sae.NamedParameters)
        {
            loss = loss + (p * (rand(p.shape, dtype: ScalarType.Float64, generator: generator) + 0.5)).sum();
        }
        loss.sum().backward();
        optimizer.Step(1e-3);
        var before = sae.NamedParameters.Keys.ToDictionary(n => n, n => (M: optimizer.Moments(n).ExpAvg.clone(), V: optimizer.Moments(n).ExpAvgSq.clone()));
        foreach (var (m, v) in before.Values)
        {
            Assert.True((m != 0).all().ToBoolean() && (v != 0).all().ToBoolean(), "Moments should start non-zero everywhere.");
        }

        var latents = tensor(new long[] { 1, 3 });
        optimizer.ResetMoments("W_dec", latents, 0);   // rows of [5, 3]
        optimizer.ResetMoments("W_enc", latents, 1);   // columns of [3, 5]

        var rowMask = zeros(5, dtype: ScalarType.Bool).index_fill_(0, latents, true);
        foreach (var (name, (m0, v0)) in before)
        {
            var (m, v) = optimizer.Moments(name);
            Tensor reset = name switch
            {
                "W_dec" => rowMask.unsqueeze(1).expand(5, 3),
                "W_enc" => rowMask.unsqueeze(0).expand(3, 5),
                _ => zeros(m.shape, dtype: ScalarType.Bool),
            };
            Assert.True((m.masked_select(reset) == 0).all().ToBoolean(), $"{name}: first moment not reset");
            Assert.True((v.masked_select(reset) == 0).all().ToBoolean(), $"{name}: second moment not reset");
            var keep = reset.logical_not();
            Assert.True(m.masked_select(keep).equal(m0.masked_select(keep)).all().ToBoolean(), $"{name}: other first-moment entries changed");
            Assert.True(v.masked_select(keep).equal(v0.masked_select(keep)).all().ToBoolean(), $"{name}: other second-moment entries changed");
        }
    }

    [Fact]
    public void UnknownParameterNameThrows()
    {
        using var sae = new StandardSae(2, 3, dtype: ScalarType.Float64);
        using var optimizer = new AdamOptimizer(sae.NamedParameters);
        var ex = Assert.Throws<ArgumentException>(() => optimizer.Moments("W_gate"));
        Assert.Equal("name", ex.ParamName);
    }
}
