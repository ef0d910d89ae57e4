namespace SparseDictionary.Formats;

/// <summary>Checks that the tensors of a header tile the data buffer exactly.</summary>
internal static class SafeTensorsLayout
{
    /// <summary>
    /// Returns the entries in file order after checking that each lies inside the buffer and that together they cover
    /// it from its first byte to its last with no overlaps, holes or trailing bytes. The spec forbids holes so that a
    /// safetensors file cannot double as a file of another format.
    /// </summary>
    public static SafeTensorEntry[] Validate(IEnumerable<SafeTensorEntry> entries, long bufferLength, string path)
    {
        SafeTensorEntry[] ordered = entries.ToArray();
        foreach (SafeTensorEntry entry in ordered)
        {
            if (entry.End > bufferLength)
            {
                throw new SafeTensorsFormatException(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] reach past the end of the {bufferLength}-byte data buffer");
            }
        }

        // Empty tensors sort before a tensor starting at the same offset, so they never count as overlapping it.
        Array.Sort(ordered, static (a, b) =>
            a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin)
            : a.End != b.End ? a.End.CompareTo(b.End)
            : string.CompareOrdinal(a.Name, b.Name));

        long covered = 0;
        SafeTensorEntry? previous = null;
        foreach (SafeTensorEntry entry in ordered)
        {
            if (entry.Begin < covered)
            {
                throw new SafeTensorsFormatException(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] overlap those of tensor {SafeTensorsFormatException.Quote(previous!.Name)}, [{previous.Begin}, {previous.End}]");
            }
            if (entry.Begin > covered)
            {
                throw new SafeTensorsFormatException(path, entry.Name,
                    $"data_offsets [{entry.Begin}, {entry.End}] leave bytes [{covered}, {entry.Begin}) of the data buffer to no tensor; the format forbids holes");
            }
            covered = entry.End;
            previous = entry;
        }
        if (covered != bufferLength)
        {
            throw new SafeTensorsFormatException(path, null,
                $"bytes [{covered}, {bufferLength}) at the end of the data buffer belong to no tensor; the format forbids trailing bytes");
        }
        return ordered;
    }
}
