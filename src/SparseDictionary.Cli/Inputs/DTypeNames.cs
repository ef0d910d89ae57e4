using static TorchSharp.torch;

namespace SparseDictionary.Cli.Inputs;

/// <summary>The <c>--dtype</c> values and their element types.</summary>
internal static class DTypeNames
{
    /// <summary>The names accepted, in the order help lists them.</summary>
    public static readonly string[] Names = ["float32", "bfloat16", "float16"];

    /// <summary>The element type of an accepted name.</summary>
    public static ScalarType Parse(string name) => name switch
    {
        "float32" => ScalarType.Float32,
        "bfloat16" => ScalarType.BFloat16,
        "float16" => ScalarType.Float16,
        _ => throw CliException.Usage($"--dtype: '{name}' is not one of {string.Join(", ", Names)}."),
    };
}
