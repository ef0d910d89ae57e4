using System.Buffers.Binary;
using System.Text;

namespace SparseDictionary.Tests.Formats;

/// <summary>Builds safetensors files byte by byte, independently of the library's writer.</summary>
internal static class SafeTensorsBytes
{
    /// <summary>The u64 little-endian length of <paramref name="header"/>, the header as UTF-8, then <paramref name="data"/>.</summary>
    public static byte[] Build(string header, byte[] data) => Build(Encoding.UTF8.GetBytes(header), data);

    public static byte[] Build(byte[] header, byte[] data) => WithPrefix((ulong)header.Length, [.. header, .. data]);

    /// <summary>A length prefix declaring <paramref name="declaredLength"/>, followed by <paramref name="rest"/> verbatim.</summary>
    public static byte[] WithPrefix(ulong declaredLength, byte[] rest)
    {
        var bytes = new byte[8 + rest.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength);
        rest.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Floats(params float[] values) =>
        values.SelectMany(v => { var b = new byte[4]; BinaryPrimitives.WriteSingleLittleEndian(b, v); return b; }).ToArray();
}
