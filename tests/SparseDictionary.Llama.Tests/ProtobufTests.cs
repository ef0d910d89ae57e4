using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class ProtobufTests
{
    [Fact]
    public void Reader_ReadsWhatTheWriterWrote_AndSkipsFields()
    {
        var inner = new ProtobufWriter();
        inner.WriteFloat(2, -1.5f);
        var writer = new ProtobufWriter();
        writer.WriteInt32(43, -1);
        writer.WriteString(1, "▁a");
        writer.WriteMessage(7, inner);
        writer.WriteBool(300, true);
        byte[] bytes = writer.ToArray();

        // -1 is sign-extended to ten bytes; field 300's tag is the varint 300 << 3 = 2400 = 0xE0 0x12.
        Assert.Equal([0xD8, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], bytes[..12]);
        Assert.Equal([0xE0, 0x12, 0x01], bytes[^3..]);
        var reader = new ProtobufReader(bytes);
        Assert.True(reader.TryReadTag(out int field, out int wireType));
        Assert.Equal((43, ProtobufReader.VarintWireType, -1L), (field, wireType, (long)reader.ReadVarint()));
        Assert.True(reader.TryReadTag(out field, out wireType));
        Assert.Equal((1, "▁a"), (field, System.Text.Encoding.UTF8.GetString(reader.ReadLengthDelimited())));
        Assert.True(reader.TryReadTag(out field, out wireType));
        var message = new ProtobufReader(reader.ReadLengthDelimited());
        Assert.True(message.TryReadTag(out int innerField, out int innerWireType));
        Assert.Equal((2, ProtobufReader.Fixed32WireType, -1.5f), (innerField, innerWireType, message.ReadFloat()));
        Assert.False(message.TryReadTag(out _, out _));
        Assert.True(reader.TryReadTag(out field, out wireType));
        Assert.Equal(300, field);
        reader.Skip(wireType);
        Assert.False(reader.TryReadTag(out _, out _));
    }

    [Fact]
    public void Reader_TruncatedField_Throws()
    {
        var writer = new ProtobufWriter();
        writer.WriteString(1, "hello");
        byte[] bytes = writer.ToArray()[..^1];

        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new ProtobufReader(bytes);
            reader.TryReadTag(out _, out _);
            reader.ReadLengthDelimited();
        });
    }
}
