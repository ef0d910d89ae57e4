using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Autoencoders;

/// <summary>Initialisation helpers shared by the architectures.</summary>
internal static class SaeInitialization
{
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
