namespace SparseDictionary.Formats;

/// <summary>One tensor's header entry, as the reader validated it or the writer planned it.</summary>
/// <remarks>Kept apart from <see cref="SafeTensorInfo"/> so that callers mutating a public shape array cannot change what is loaded.</remarks>
internal sealed record SafeTensorEntry(string Name, SafeTensorDType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    public SafeTensorInfo ToInfo() => new(Name, DType.Name, (long[])Shape.Clone(), Begin, End);
}
