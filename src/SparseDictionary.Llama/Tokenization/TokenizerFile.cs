namespace SparseDictionary.Llama;

/// <summary>Reads a tokenizer file whole, with the size limit and error wording both tokenizer formats share.</summary>
internal static class TokenizerFile
{
    /// <summary>
    /// Llama-2's tokenizer.model is about 500 kB and its llama2.c tokenizer.bin about 430 kB; anything this large is not
    /// a tokenizer and is not read into memory.
    /// </summary>
    public const long MaxBytes = 256L << 20;

    /// <summary>Returns the bytes of <paramref name="fullPath"/>.</summary>
    /// <exception cref="ModelFormatException">The file is larger than <see cref="MaxBytes"/> or cannot be read; the message names it.</exception>
    public static byte[] ReadAllBytes(string fullPath)
    {
        try
        {
            long length = new FileInfo(fullPath).Length;
            if (length > MaxBytes)
            {
                throw ModelFormatException.ForFile(fullPath, $"the file holds {length} bytes, more than the {MaxBytes} a tokenizer may have.");
            }
            return File.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ModelFormatException.ForFile(fullPath, $"the file cannot be read: {e.Message}", e);
        }
    }
}
