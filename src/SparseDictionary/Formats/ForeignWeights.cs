using SparseDictionary.Autoencoders;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>Checks and copies weights read from another library's files into this library's SAEs.</summary>
internal static class ForeignWeights
{
    /// <summary>
    /// The tensor <paramref name="name"/> of <paramref name="weights"/> after checking it exists, has
    /// <paramref name="shape"/>, a floating-point dtype and finite values.
    /// </summary>
    public static Tensor Require(IReadOnlyDictionary<string, Tensor> weights, string name, long[] shape, string path)
    {
        if (!weights.TryGetValue(name, out Tensor? value))
        {
            throw SaeFormatException.ForTensor(path, name, $"the tensor is missing; the file has {string.Join(", ", weights.Keys)}.");
        }
        if (!value.shape.SequenceEqual(shape))
        {
            throw SaeFormatException.ForTensor(path, name, $"the shape is [{string.Join(", ", value.shape)}]; expected [{string.Join(", ", shape)}].");
        }
        if (!value.is_floating_point())
        {
            throw SaeFormatException.ForTensor(path, name, $"the dtype is {value.dtype}; expected a floating-point dtype.");
        }
        using (var scope = NewDisposeScope())
        {
            if (!isfinite(value).all().item<bool>()) throw SaeFormatException.ForTensor(path, name, "the tensor holds NaN or infinite values.");
        }
        return value;
    }

    /// <summary>Copies <paramref name="value"/> (converted to the parameter's dtype and device) into parameter <paramref name="name"/>.</summary>
    public static void Set(ISparseAutoencoder sae, string name, Tensor value)
    {
        using var _ = no_grad();
        sae.NamedParameters[name].copy_(value);
    }

    /// <summary>
    /// Keeps the parameters of an SAE built inside a dispose scope alive when the scope ends (the loaders build SAEs in
    /// the scope that frees the file's tensors).
    /// </summary>
    public static T Adopt<T>(T sae) where T : ISparseAutoencoder
    {
        foreach (var p in sae.NamedParameters.Values) p.DetachFromDisposeScope();
        return sae;
    }

    /// <summary>Throws unless every parameter of <paramref name="sae"/> is finite after the conversion to its dtype.</summary>
    public static void CheckFinite(ISparseAutoencoder sae, string path)
    {
        using var scope = NewDisposeScope();
        foreach ((string name, var p) in sae.NamedParameters)
        {
            // log θ = −∞ stands for θ = 0 (a JumpReLU threshold ≤ 0); everything else must be finite.
            var finite = name == "log_threshold" ? p.isnan().logical_not().logical_and(p < double.PositiveInfinity) : isfinite(p);
            if (!finite.all().item<bool>())
            {
                throw SaeFormatException.ForTensor(path, name, $"the values are finite in the file but not once converted to {sae.DType}.");
            }
        }
    }
}
