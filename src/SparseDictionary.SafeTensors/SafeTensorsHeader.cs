using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace SparseDictionary.Formats;

/// <summary>The validated header of a safetensors file: where the data starts, the metadata and the tensors in file order.</summary>
internal sealed record SafeTensorsHeader(long DataStart, IReadOnlyDictionary<string, string> Metadata, IReadOnlyList<SafeTensorEntry> Entries)
{
    /// <summary>The reference implementation's header size limit, which bounds what a hostile length prefix can make us allocate.</summary>
    public const long MaxLength = 100_000_000;

    /// <summary>The length of the little-endian u64 that precedes the header.</summary>
    public const int PrefixLength = sizeof(ulong);

    /// <summary>Reads the length prefix and the header of <paramref name="file"/> and validates them against its length.</summary>
    public static SafeTensorsHeader Read(SafeFileHandle file, string path)
    {
        long fileLength = RandomAccess.GetLength(file);
        if (fileLength < PrefixLength)
        {
            throw new SafeTensorsFormatException(path, null, $"the file is {fileLength} bytes long, too short for the {PrefixLength}-byte header length");
        }

        Span<byte> prefix = stackalloc byte[PrefixLength];
        ReadExactly(file, prefix, 0, path);
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length == 0)
        {
            throw new SafeTensorsFormatException(path, null, "the header length is 0");
        }
        if (length > MaxLength)
        {
            throw new SafeTensorsFormatException(path, null, $"the header length {length} exceeds the limit of {MaxLength} bytes");
        }
        if (length > (ulong)(fileLength - PrefixLength))
        {
            throw new SafeTensorsFormatException(path, null,
                $"the header length {length} exceeds the {fileLength - PrefixLength} bytes that follow the length prefix");
        }

        var header = new byte[length];
        ReadExactly(file, header, PrefixLength, path);
        long dataStart = PrefixLength + (long)length;

        (Dictionary<string, string> metadata, List<SafeTensorEntry> entries) = SafeTensorsHeaderParser.Parse(header, path);
        SafeTensorEntry[] ordered = SafeTensorsLayout.Validate(entries, fileLength - dataStart, path);
        return new SafeTensorsHeader(dataStart, metadata.AsReadOnly(), ordered.AsReadOnly());
    }

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(file, buffer, offset);
            if (read == 0)
            {
                throw new SafeTensorsFormatException(path, null, "the file ended inside its header; did it shrink while being read?");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }
}
