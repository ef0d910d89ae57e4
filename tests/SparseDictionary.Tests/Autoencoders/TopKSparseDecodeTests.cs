using SparseDictionary.Autoencoders;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Tests.Autoencoders;

/// <summary>The TopK SAE's sparse path (gather the k active decoder rows) against the dense features and decode.</summary>
public class TopKSparseDecodeTests
{
    [Fact]
    public void SparseEncodeAndDecodeMatchTheHandComputedDensePath()
    {
        // TinySparseSaes.TopK (k = 2): token 1 has a three-way tie, lowest indices win; token 2 keeps a negative
        // pre-activation, which ReLU makes 0 (see TopKSaeForwardTests).
        using var sae = TinySparseSaes.TopK();
        using var scope = NewDisposeScope();
        var (indices, values) = sae.EncodeSparse(TinySparseSaes.TopKInput());
        Assert.Equal(new long[] { 0, 3, 0, 1, 1, 2 }, indices.data<long>().ToArray());
        TensorAssert.Close(new double[,] { { 2, 2.5 }, { 1, 1 }, { 0, 0.25 } }, values);
        TensorAssert.Close(new double[,] { { 4.25, -1.25 }, { 2, 1 }, { 1.25, 0.25 } }, sae.DecodeSparse(indices, values));
    }

    [Fact]
    public void SparseDecodeEqualsDenseDecodeAndItsGradients()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(4);
        using var dense = new TopKSae(32, 512, k: 8, generator: generator);
        using var sparse = new TopKSae(32, 512, k: 8, generator: new Generator(4));
        var x = randn(new long[] { 64, 32 }, generator: generator);

        var f = dense.Encode(x);
        var (indices, values) = sparse.EncodeSparse(x);
        Assert.True(f.gather(1, indices).equal(values).all().item<bool>(), "values differ from the dense features");
        Assert.Equal(f.count_nonzero().ToInt64(), values.count_nonzero().ToInt64());

        var expected = dense.Decode(f);
        var actual = sparse.DecodeSparse(indices, values);
        Assert.True(actual.allclose(expected, rtol: 1e-5, atol: 1e-6), $"max error {(actual - expected).abs().max().ToDouble():G3}");

        // Gradients reach W_dec and b_dec the same way.
        expected.square().sum().backward();
        actual.square().sum().backward();
        Assert.True(sparse.DecoderWeight.grad!.allclose(dense.DecoderWeight.grad!, rtol: 1e-4, atol: 1e-5), "W_dec gradients differ");
        Assert.True(sparse.DecoderBias.grad!.allclose(dense.DecoderBias.grad!, rtol: 1e-4, atol: 1e-5), "b_dec gradients differ");
        Assert.True(sparse.DecoderWeight.requires_grad, "W_dec must stay trainable");
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        using var sae = new TopKSae(4, 8, k: 2);
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => sae.DecodeSparse(zeros(new long[] { 3, 2 }, dtype: ScalarType.Int64), zeros(3, 3)));
        Assert.Contains("[3, 2]", error.Message);
    }
}
