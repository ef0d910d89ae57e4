using System.Text;

namespace SparseDictionary.Llama;

/// <summary>
/// Learns a SentencePiece-BPE vocabulary from text, for <see cref="Llama2cTokenizer"/>: the most frequent characters
/// become pieces, then the most frequent adjacent pair of pieces is merged into a new piece, again and again.
/// </summary>
/// <remarks>
/// <para>
/// Each text is read as <see cref="Llama2cTokenizer.Encode(string, bool)"/> reads it: a space before it (the dummy
/// prefix), spaces kept as plain spaces (llama2.c's form of SentencePiece's "▁"). The text is split into words, each an
/// optional space and a run of non-whitespace characters, or one other whitespace character; pairs are counted and merged
/// inside words only, so no piece spans a word boundary. Characters outside the coverage break words into parts that
/// never merge, as byte fallback leaves them when encoding.
/// </para>
/// <para>
/// Ties between equally frequent pairs go to the ordinally smallest concatenation, then the smallest left piece, so the
/// result depends only on the text and the options. A pair seen fewer than twice is never merged: training stops early
/// when no pair is left, and the vocabulary is then smaller than asked.
/// </para>
/// </remarks>
public static class BpeTrainer
{
    private const int Blocked = -1;

    /// <summary>Learns a vocabulary from <paramref name="texts"/>.</summary>
    /// <param name="texts">The training texts, each encoded on its own (with its own dummy prefix).</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <returns>The vocabulary, at most <see cref="BpeTrainerOptions.VocabSize"/> tokens.</returns>
    public static BpeVocabulary Train(IEnumerable<string> texts, BpeTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new BpeTrainerOptions();
        Dictionary<string, long> wordCounts = CountWords(texts);
        List<string> characters = KeepCharacters(wordCounts, options);
        int mergeBudget = options.VocabSize - Llama2cTokenizer.FirstByteId - 256 - characters.Count;

        // Training ids: characters 0..C-1, then merged pieces in order.
        var pieces = new List<string>(characters);
        var idOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < characters.Count; i++)
        {
            idOf[characters[i]] = i;
        }
        var words = new List<int[]>(wordCounts.Count);
        var frequencies = new List<long>(wordCounts.Count);
        foreach ((string word, long count) in wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            var symbols = new List<int>();
            foreach (Rune rune in word.EnumerateRunes())
            {
                symbols.Add(idOf.TryGetValue(rune.ToString(), out int id) ? id : Blocked);
            }
            words.Add(symbols.ToArray());
            frequencies.Add(count);
        }

        var merges = new List<string>();
        var pairs = new PairTable(pieces);
        for (int w = 0; w < words.Count; w++)
        {
            pairs.Add(words[w], w, frequencies[w]);
        }
        while (merges.Count < mergeBudget && pairs.TryTakeBest(minCount: 2, out (int Left, int Right) best))
        {
            string merged = pieces[best.Left] + pieces[best.Right];
            if (!idOf.TryGetValue(merged, out int mergedId))
            {
                mergedId = pieces.Count;
                pieces.Add(merged);
                idOf[merged] = mergedId;
                merges.Add(merged);
            }
            foreach (int w in pairs.WordsWith(best))
            {
                int[] before = words[w];
                int[] after = ApplyMerge(before, best, mergedId);
                if (after.Length != before.Length)
                {
                    pairs.Remove(before, frequencies[w]);
                    pairs.Add(after, w, frequencies[w]);
                    words[w] = after;
                }
            }
            pairs.Flush();
        }
        return Assemble(merges, characters);
    }

    private static Dictionary<string, long> CountWords(IEnumerable<string> texts)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length > 0)
            {
                string key = word.ToString();
                counts[key] = counts.GetValueOrDefault(key) + 1;
                word.Clear();
            }
        }
        foreach (string text in texts)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(texts));
            if (text.Length == 0)
            {
                continue;
            }
            // The dummy prefix, as the tokenizer puts it before every non-empty text.
            string prefixed = " " + text;
            for (int i = 0; i < prefixed.Length; i++)
            {
                char c = prefixed[i];
                if (c == ' ')
                {
                    // A space starts a word (SentencePiece's "▁word"); of a run of spaces, each but the last is a word alone.
                    Flush();
                    word.Append(c);
                }
                else if (char.IsWhiteSpace(c))
                {
                    Flush();
                    word.Append(c);
                    Flush();
                }
                else
                {
                    word.Append(c);
                }
            }
            Flush();
        }
        return counts;
    }

    // The most frequent characters up to the coverage (the space always, since every dummy prefix needs it).
    private static List<string> KeepCharacters(Dictionary<string, long> wordCounts, BpeTrainerOptions options)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { [" "] = 0 };
        foreach ((string word, long count) in wordCounts)
        {
            foreach (Rune rune in word.EnumerateRunes())
            {
                string key = rune.ToString();
                counts[key] = counts.GetValueOrDefault(key) + count;
            }
        }
        long total = counts.Values.Sum();
        int room = options.VocabSize - Llama2cTokenizer.FirstByteId - 256;
        var kept = new List<string>();
        long covered = 0;
        foreach ((string character, long count) in counts.OrderByDescending(c => c.Key == " ").ThenByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            if (kept.Count == room || (kept.Count > 0 && covered >= options.CharacterCoverage * total))
            {
                break;
            }
            kept.Add(character);
            covered += count;
        }
        return kept;
    }

    // Merges the non-overlapping occurrences of the pair, left to right.
    private static int[] ApplyMerge(int[] symbols, (int Left, int Right) pair, int merged)
    {
        var result = new List<int>(symbols.Length);
        for (int i = 0; i < symbols.Length; i++)
        {
            if (i + 1 < symbols.Length && symbols[i] == pair.Left && symbols[i + 1] == pair.Right)
            {
                result.Add(merged);
                i++;
            }
            else
            {
                result.Add(symbols[i]);
            }
        }
        return result.ToArray();
    }

    private static BpeVocabulary Assemble(List<string> merges, List<string> characters)
    {
        var pieces = new List<byte[]>();
        var scores = new List<float>();
        foreach (string special in (string[])["<unk>", "\n<s>\n", "\n</s>\n"])
        {
            // llama2.c's export writes BOS and EOS with newlines around them; they are never matched against text.
            pieces.Add(Encoding.UTF8.GetBytes(special));
            scores.Add(0);
        }
        for (int b = 0; b < 256; b++)
        {
            pieces.Add(Encoding.ASCII.GetBytes($"<0x{b:X2}>"));
            scores.Add(0);
        }
        foreach (string piece in merges.Concat(characters))
        {
            pieces.Add(Encoding.UTF8.GetBytes(piece));
            scores.Add(-(scores.Count - Llama2cTokenizer.FirstByteId - 256 + 1));
        }
        return new BpeVocabulary(pieces, scores, merges.Count);
    }
}
