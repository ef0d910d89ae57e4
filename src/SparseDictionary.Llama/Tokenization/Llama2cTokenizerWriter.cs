using SparseDictionary.Formats;
using System.Buffers.Binary;

namespace SparseDictionary.Llama;

/// <summary>Writes a vocabulary as llama2.c's <c>tokenizer.bin</c>, which <see cref="Llama2cTokenizer.Load"/> reads.</summary>
public static class Llama2cTokenizerWriter
{
    /// <summary>
    /// Writes <paramref name="vocabulary"/> to <paramref name="path"/> atomically: into a temporary file beside it, then
    /// renamed over it, so that readers see the old file or the complete new one.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="vocabulary">The vocabulary.</param>
    public static void Save(string path, BpeVocabulary vocabulary)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> word = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(word, (uint)vocabulary.Pieces.Max(p => p.Length));
            stream.Write(word);
            for (int id = 0; id < vocabulary.Count; id++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(word, vocabulary.Scores[id]);
                stream.Write(word);
                BinaryPrimitives.WriteInt32LittleEndian(word, vocabulary.Pieces[id].Length);
                stream.Write(word);
                stream.Write(vocabulary.Pieces[id]);
            }
        });
    }
}
