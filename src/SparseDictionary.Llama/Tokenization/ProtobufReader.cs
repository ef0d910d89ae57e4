using System.Buffers.Binary;

namespace SparseDictionary.Llama;

/// <summary>
/// Reads protocol-buffers fields one at a time: the counterpart of <see cref="ProtobufWriter"/>, enough to pick the
/// pieces' scores and types out of a SentencePiece model.
/// </summary>
internal ref struct ProtobufReader
{
    public const int VarintWireType = 0, Fixed64WireType = 1, LengthDelimitedWireType = 2, Fixed32WireType = 5;

    private ReadOnlySpan<byte> _rest;

    public ProtobufReader(ReadOnlySpan<byte> message) => _rest = message;

    /// <summary>Reads the next field's number and wire type; <see langword="false"/> at the end of the message.</summary>
    /// <exception cref="InvalidDataException">The field is malformed.</exception>
    public bool TryReadTag(out int field, out int wireType)
    {
        field = wireType = 0;
        if (_rest.IsEmpty)
        {
            return false;
        }
        ulong tag = ReadVarint();
        field = (int)Math.Min(tag >> 3, int.MaxValue);
        wireType = (int)(tag & 7);
        return field > 0 ? true : throw new InvalidDataException("A field number is 0.");
    }

    /// <summary>Reads a varint field's value.</summary>
    public ulong ReadVarint()
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = Take(1)[0];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new InvalidDataException("A varint is longer than ten bytes.");
    }

    /// <summary>Reads a 32-bit field's value as a float.</summary>
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(sizeof(float)));

    /// <summary>Reads a length-delimited field's bytes.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        ulong length = ReadVarint();
        return length <= (ulong)_rest.Length ? Take((int)length) : throw new InvalidDataException("A field runs past the end of its message.");
    }

    /// <summary>Skips the value of a field of <paramref name="wireType"/>.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case VarintWireType: ReadVarint(); break;
            case Fixed64WireType: Take(sizeof(ulong)); break;
            case LengthDelimitedWireType: ReadLengthDelimited(); break;
            case Fixed32WireType: Take(sizeof(uint)); break;
            default: throw new InvalidDataException($"Wire type {wireType} is not supported.");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _rest.Length)
        {
            throw new InvalidDataException("The message ends inside a field.");
        }
        ReadOnlySpan<byte> taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }
}
