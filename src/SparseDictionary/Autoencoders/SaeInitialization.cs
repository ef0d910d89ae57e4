using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>Initialisation helpers shared by the architectures.</summary>
internal static class SaeInitialization
{
    /// <summary>
    /// The encoder starts as this multiple of the decoder's transpose. Anthropic (April 2024) and SAELens start with
    /// <c>W_enc = W_decᵀ</c> and decoder rows of norm 0.1; with unit decoder rows the same product needs the 0.1 on
    /// the encoder. Without it the initial reconstruction is ~d_sae/d_in times too large.
    /// </summary>
    public const double EncoderScale = 0.1;

    /// <summary>A <c>[rows, cols]</c> matrix of independent random unit-norm rows (directions uniform on the sphere).</summary>
    public static Tensor UnitRows(int rows, int cols, Device? device, ScalarType dtype, Generator? generator)
    {
        using var _ = NewDisposeScope();
        // Sample in float32 on the CPU so a given seed gives the same SAE on every device and dtype.
        var w = randn(new long[] { rows, cols }, dtype: ScalarType.Float32, generator: generator);
        w = w / w.norm(1, keepdim: true).clamp_min(1e-12);
        return w.to(dtype, device ?? CPU).MoveToOuterDisposeScope();
    }
}
