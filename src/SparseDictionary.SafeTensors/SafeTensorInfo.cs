namespace SparseDictionary.Formats;

/// <summary>Describes one tensor stored in a safetensors file, as its header declares it.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">The safetensors dtype name, such as <c>F32</c> or <c>BF16</c>.</param>
/// <param name="Shape">The tensor's shape; empty for a scalar. Each <see cref="SafeTensorInfo"/> holds its own copy.</param>
/// <param name="Begin">The offset of the tensor's first byte, relative to the data buffer that follows the header.</param>
/// <param name="End">The offset just past the tensor's last byte, relative to the data buffer.</param>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Gets the number of bytes the tensor occupies in the file.</summary>
    public long ByteLength => End - Begin;
}
