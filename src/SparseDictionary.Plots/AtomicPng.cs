namespace SparseDictionary.Plots;

/// <summary>
/// Writes bytes to a temporary file in the target's folder and renames it over the target, so readers see the old
/// file or the whole new one, and a crash leaves no half-written PNG (at worst a stray hidden *.tmp file).
/// </summary>
internal static class AtomicPng
{
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)
            ?? throw new ArgumentException($"pngPath '{path}' has no parent folder.", "pngPath");
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the original error matters more than a leftover temp file.
            }
            catch (UnauthorizedAccessException)
            {
            }
            throw;
        }
    }
}
