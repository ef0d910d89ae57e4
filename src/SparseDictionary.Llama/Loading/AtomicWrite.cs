namespace SparseDictionary.Llama;

/// <summary>Writes files and folders so that readers see the old content or the complete new content, never a partial write.</summary>
internal static class AtomicWrite
{
    /// <summary>Fills a temporary file beside <paramref name="path"/>, flushes it to disk and renames it over <paramref name="path"/>.</summary>
    public static void File(string path, Action<Stream> write)
    {
        string fullPath = Path.GetFullPath(path);
        // Same directory, hence same file system, so the final move is a rename rather than a copy.
        string temp = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            System.IO.File.Move(temp, fullPath, overwrite: true);
        }
        catch
        {
            System.IO.File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Fills a temporary sibling folder of <paramref name="folder"/>, then renames it into place; an existing folder is
    /// moved aside first and deleted once the new one is in place, or moved back if that fails.
    /// </summary>
    public static void Folder(string folder, Action<string> fill)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string parent = Path.GetDirectoryName(target) ?? throw new ArgumentException("Cannot write over a file-system root.", nameof(folder));
        Directory.CreateDirectory(parent);
        string name = Path.GetFileName(target);
        string temp = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.tmp");
        string aside = Path.Combine(parent, $".{name}.{Guid.NewGuid():N}.old");
        Directory.CreateDirectory(temp);
        try
        {
            fill(temp);
            bool hadPrevious = Directory.Exists(target);
            if (hadPrevious)
            {
                Directory.Move(target, aside);
            }
            try
            {
                Directory.Move(temp, target);
            }
            catch
            {
                if (hadPrevious)
                {
                    Directory.Move(aside, target);
                }
                throw;
            }
            if (hadPrevious)
            {
                Directory.Delete(aside, recursive: true);
            }
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
            throw;
        }
    }
}
