using System.Diagnostics.CodeAnalysis;
using static TorchSharp.torch;

namespace SparseDictionary.Formats;

/// <summary>SAELens's dtype names (<c>DTYPE_MAP</c> in sae_lens/constants.py) and their TorchSharp element types.</summary>
internal static class SaeLensDTypes
{
    private static readonly (string Name, ScalarType Type)[] Names =
    [
        ("float32", ScalarType.Float32),
        ("float64", ScalarType.Float64),
        ("float16", ScalarType.Float16),
        ("bfloat16", ScalarType.BFloat16),
    ];

    /// <summary>Parses <c>float32</c>, <c>torch.float32</c> and the like.</summary>
    public static bool TryParse(string name, out ScalarType type)
    {
        string bare = name.StartsWith("torch.", StringComparison.Ordinal) ? name["torch.".Length..] : name;
        foreach ((string n, ScalarType t) in Names)
        {
            if (n == bare)
            {
                type = t;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>The name SAELens writes by default (<c>float32</c>, without the <c>torch.</c> prefix).</summary>
    public static bool TryName(ScalarType type, [NotNullWhen(true)] out string? name)
    {
        foreach ((string n, ScalarType t) in Names)
        {
            if (t == type)
            {
                name = n;
                return true;
            }
        }
        name = null;
        return false;
    }
}
