using System.Buffers.Binary;
using System.Text;

namespace SparseDictionary.Packaging.Tests;

/// <summary>
/// Reads the version requirements (<c>.gnu.version_r</c>: Verneed and Vernaux entries) of a 64-bit little-endian ELF
/// shared library: each required version name with its flags.
/// </summary>
internal static class ElfVersionNeeds
{
    /// <summary>The Vernaux flag that makes a missing version a non-fatal condition for the dynamic loader.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>Returns every required version (such as <c>GLIBCXX_3.4.32</c>) with its Vernaux flags.</summary>
    public static IReadOnlyList<(string Library, string Version, ushort Flags)> Read(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("Not a 64-bit little-endian ELF file.");
        }
        ReadOnlySpan<byte> b = elf;
        long sectionTable = (long)BinaryPrimitives.ReadUInt64LittleEndian(b[0x28..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(b[0x3A..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(b[0x3C..]);
        var needs = new List<(string, string, ushort)>();
        for (int s = 0; s < count; s++)
        {
            int header = checked((int)(sectionTable + (long)s * entrySize));
            if (BinaryPrimitives.ReadUInt32LittleEndian(b[(header + 4)..]) != 0x6ffffffe) continue; // SHT_GNU_verneed
            int offset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(b[(header + 0x18)..]));
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(header + 0x28)..]);
            int strings = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(b[(checked((int)(sectionTable + (long)link * entrySize)) + 0x18)..]));
            for (int verneed = offset; ;)
            {
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(b[(verneed + 2)..]);
                string library = String(b, strings + (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(verneed + 4)..]));
                int aux = verneed + (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(verneed + 8)..]);
                for (int a = 0; a < auxCount; a++)
                {
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(b[(aux + 4)..]);
                    needs.Add((library, String(b, strings + (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(aux + 8)..])), flags));
                    aux += (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(aux + 12)..]);
                }
                int next = (int)BinaryPrimitives.ReadUInt32LittleEndian(b[(verneed + 12)..]);
                if (next == 0) break;
                verneed += next;
            }
        }
        return needs;
    }

    private static string String(ReadOnlySpan<byte> b, int offset)
    {
        int end = b[offset..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(b.Slice(offset, end));
    }
}
