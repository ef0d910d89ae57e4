using System.Buffers.Binary;
using System.Text;

namespace SparseDictionary.Llama;

/// <summary>
/// The few protocol-buffers encodings that a SentencePiece model needs (varints, 32-bit floats, length-delimited strings
/// and messages), so that writing one needs no protobuf runtime.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int VarintWireType = 0;
    private const int LengthDelimitedWireType = 2;
    private const int Fixed32WireType = 5;

    private readonly MemoryStream _buffer = new();

    /// <summary>Writes an <c>int32</c>, <c>bool</c> or enum field; negative values take ten bytes, as protobuf sign-extends them.</summary>
    public void WriteInt32(int field, int value)
    {
        WriteTag(field, VarintWireType);
        WriteVarint(unchecked((ulong)(long)value));
    }

    /// <summary>Writes a <c>bool</c> field.</summary>
    public void WriteBool(int field, bool value) => WriteInt32(field, value ? 1 : 0);

    /// <summary>Writes a <c>float</c> field, little-endian.</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, Fixed32WireType);
        Span<byte> bytes = stackalloc byte[sizeof(float)];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a <c>string</c> field as UTF-8.</summary>
    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>Writes an embedded message field.</summary>
    public void WriteMessage(int field, ProtobufWriter message) => WriteBytes(field, message.ToArray());

    /// <summary>Returns the bytes written so far.</summary>
    public byte[] ToArray() => _buffer.ToArray();

    private void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, LengthDelimitedWireType);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    private void WriteTag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
