using SparseDictionary.Formats;

namespace SparseDictionary.Activations;

/// <summary>The element types a cache may store, named as safetensors names them (the manifest uses the same names).</summary>
internal static class ActivationCacheDTypes
{
    private static readonly torch.ScalarType[] Allowed = [torch.ScalarType.Float32, torch.ScalarType.Float16, torch.ScalarType.BFloat16];

    public static bool IsAllowed(torch.ScalarType dtype) => Array.IndexOf(Allowed, dtype) >= 0;

    /// <summary>The safetensors name (<c>F32</c>, <c>F16</c>, <c>BF16</c>) of an allowed dtype.</summary>
    public static string Name(torch.ScalarType dtype) =>
        IsAllowed(dtype) && SafeTensorDType.TryFromScalarType(dtype, out SafeTensorDType? st)
            ? st.Name
            : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "An activation cache stores Float32, Float16 or BFloat16.");

    public static bool TryParse(string name, out torch.ScalarType dtype)
    {
        if (SafeTensorDType.TryFromName(name, out SafeTensorDType? st) && IsAllowed(st.ScalarType))
        {
            dtype = st.ScalarType;
            return true;
        }
        dtype = default;
        return false;
    }

    /// <summary>Bytes per element of an allowed dtype.</summary>
    public static int Size(torch.ScalarType dtype) => dtype == torch.ScalarType.Float32 ? 4 : 2;
}
