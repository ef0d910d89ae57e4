using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>The SwiGLU feed-forward layer <c>down(silu(gate(x)) · up(x))</c>; parameter names follow Hugging Face's <c>LlamaMLP</c>.</summary>
internal sealed class LlamaMlp : nn.Module<Tensor, Tensor>
{
    private readonly LinearWeight _gateProjection;
    private readonly LinearWeight _upProjection;
    private readonly LinearWeight _downProjection;

    public LlamaMlp(LlamaConfig config, ScalarType dtype, Device device)
        : base(nameof(LlamaMlp))
    {
        _gateProjection = new LinearWeight(config.Dim, config.HiddenDim, dtype, device);
        _upProjection = new LinearWeight(config.Dim, config.HiddenDim, dtype, device);
        _downProjection = new LinearWeight(config.HiddenDim, config.Dim, dtype, device);
        register_module("gate_proj", _gateProjection);
        register_module("up_proj", _upProjection);
        register_module("down_proj", _downProjection);
    }

    public override Tensor forward(Tensor input) =>
        _downProjection.forward(nn.functional.silu(_gateProjection.forward(input)) * _upProjection.forward(input));
}
