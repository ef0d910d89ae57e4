using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>A bias-free linear layer <c>y = x Wᵀ</c> whose one parameter is named <c>weight</c>, as in PyTorch's <c>nn.Linear</c>.</summary>
/// <remarks>
/// TorchSharp's <c>Linear</c> would randomly initialise its weight, which for a 7B model costs more than loading it; here
/// the weight starts at zero and a loader fills it.
/// </remarks>
internal sealed class LinearWeight : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;

    public LinearWeight(long inFeatures, long outFeatures, ScalarType dtype, Device device)
        : base(nameof(LinearWeight))
    {
        _weight = FrozenParameter.Create(zeros(outFeatures, inFeatures, dtype, device));
        register_parameter("weight", _weight);
    }

    /// <summary>The weight <c>[out, in]</c>.</summary>
    public Parameter Weight => _weight;

    public override Tensor forward(Tensor input) => nn.functional.linear(input, _weight);
}
