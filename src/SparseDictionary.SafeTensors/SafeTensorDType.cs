using System.Diagnostics.CodeAnalysis;
using TorchSharp;

namespace SparseDictionary.Formats;

/// <summary>A safetensors dtype this library reads and writes, with its TorchSharp counterpart.</summary>
internal sealed class SafeTensorDType
{
    private static readonly SafeTensorDType[] Supported =
    [
        new("BOOL", torch.ScalarType.Bool, 1, 0),
        new("U8", torch.ScalarType.Byte, 1, 1),
        new("I8", torch.ScalarType.Int8, 1, 2),
        new("I16", torch.ScalarType.Int16, 2, 3),
        new("F16", torch.ScalarType.Float16, 2, 4),
        new("BF16", torch.ScalarType.BFloat16, 2, 5),
        new("I32", torch.ScalarType.Int32, 4, 6),
        new("F32", torch.ScalarType.Float32, 4, 7),
        new("F64", torch.ScalarType.Float64, 8, 8),
        new("I64", torch.ScalarType.Int64, 8, 9),
    ];

    private SafeTensorDType(string name, torch.ScalarType scalarType, int size, int referenceOrder)
    {
        Name = name;
        ScalarType = scalarType;
        Size = size;
        ReferenceOrder = referenceOrder;
    }

    /// <summary>The name the header uses, such as <c>F32</c>.</summary>
    public string Name { get; }

    /// <summary>The TorchSharp element type.</summary>
    public torch.ScalarType ScalarType { get; }

    /// <summary>The size of one element in bytes.</summary>
    public int Size { get; }

    /// <summary>
    /// The dtype's relative position in the reference implementation's <c>Dtype</c> enum. Its writer lays tensors out by this,
    /// descending, which also keeps every tensor aligned to its element size.
    /// </summary>
    public int ReferenceOrder { get; }

    public static bool TryFromName(string name, [NotNullWhen(true)] out SafeTensorDType? dtype)
    {
        dtype = Array.Find(Supported, d => d.Name == name);
        return dtype is not null;
    }

    public static bool TryFromScalarType(torch.ScalarType scalarType, [NotNullWhen(true)] out SafeTensorDType? dtype)
    {
        dtype = Array.Find(Supported, d => d.ScalarType == scalarType);
        return dtype is not null;
    }

    public override string ToString() => Name;
}
