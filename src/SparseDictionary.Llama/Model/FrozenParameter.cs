using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SparseDictionary.Llama;

/// <summary>Creates the model's parameters.</summary>
internal static class FrozenParameter
{
    /// <summary>
    /// A parameter that does not require gradients: the model is used for inference and as a fixed function that
    /// gradients may flow through (to a replacement spliced into a hook), never trained itself, so autograd records
    /// nothing for its weights.
    /// </summary>
    public static Parameter Create(Tensor value) => new(value, requires_grad: false);
}
