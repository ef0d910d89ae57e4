using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>
/// Root-mean-square normalisation as in Hugging Face's <c>LlamaRMSNorm</c>: <c>weight · (x / √(mean(x²) + ε))</c>, the
/// normalisation computed in float32 whatever the input type, then cast back before the weight is applied.
/// </summary>
/// <remarks>TorchSharp 0.107 has no RMSNorm module.</remarks>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly double _eps;

    public RmsNorm(long dim, double eps, ScalarType dtype, Device device)
        : base(nameof(RmsNorm))
    {
        _eps = eps;
        _weight = FrozenParameter.Create(ones(dim, dtype, device));
        register_parameter("weight", _weight);
    }

    /// <summary>The per-channel gain <c>[dim]</c>.</summary>
    public Parameter Weight => _weight;

    public override Tensor forward(Tensor input)
    {
        // Half-precision squares overflow and their means lose digits, so the statistics are taken in float32.
        Tensor x = input.to(ScalarType.Float32);
        Tensor normalized = x * (x.square().mean([-1], keepdim: true) + _eps).rsqrt();
        return _weight * normalized.to(input.dtype);
    }
}
