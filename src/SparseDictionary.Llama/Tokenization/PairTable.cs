namespace SparseDictionary.Llama;

/// <summary>
/// Counts of adjacent symbol pairs over weighted words, the words each pair occurs in, and a queue of the most frequent
/// pair: <see cref="BpeTrainer"/>'s bookkeeping, updated word by word as merges rewrite them.
/// </summary>
internal sealed class PairTable
{
    private readonly List<string> _pieces;
    private readonly Dictionary<(int, int), long> _counts = [];
    private readonly Dictionary<(int, int), HashSet<int>> _words = [];
    private readonly HashSet<(int, int)> _changed = [];
    private readonly PriorityQueue<(int Left, int Right), (long Count, string Key, int Left)> _queue;

    public PairTable(List<string> pieces)
    {
        _pieces = pieces;
        _queue = new PriorityQueue<(int, int), (long, string, int)>(Comparer<(long Count, string Key, int Left)>.Create((x, y) =>
        {
            int c = y.Count.CompareTo(x.Count);
            if (c == 0) c = string.CompareOrdinal(x.Key, y.Key);
            return c != 0 ? c : x.Left.CompareTo(y.Left);
        }));
    }

    public void Add(int[] word, int index, long frequency)
    {
        for (int i = 0; i + 1 < word.Length; i++)
        {
            if (word[i] < 0 || word[i + 1] < 0) continue;
            var pair = (word[i], word[i + 1]);
            _counts[pair] = _counts.GetValueOrDefault(pair) + frequency;
            if (!_words.TryGetValue(pair, out HashSet<int>? set))
            {
                _words[pair] = set = [];
            }
            set.Add(index);
            _changed.Add(pair);
        }
    }

    // The word stays in the pairs' word sets: they are supersets, and merging a word without the pair changes nothing.
    public void Remove(int[] word, long frequency)
    {
        for (int i = 0; i + 1 < word.Length; i++)
        {
            if (word[i] < 0 || word[i + 1] < 0) continue;
            var pair = (word[i], word[i + 1]);
            _counts[pair] -= frequency;
            _changed.Add(pair);
        }
    }

    /// <summary>Queues every pair whose count changed since the last flush (stale queue entries are skipped when taken).</summary>
    public void Flush()
    {
        foreach ((int left, int right) in _changed)
        {
            long count = _counts[(left, right)];
            if (count > 0)
            {
                _queue.Enqueue((left, right), (count, _pieces[left] + _pieces[right], left));
            }
        }
        _changed.Clear();
    }

    public bool TryTakeBest(long minCount, out (int Left, int Right) best)
    {
        Flush();
        while (_queue.TryDequeue(out best, out var priority))
        {
            if (_counts[best] != priority.Count)
            {
                continue;
            }
            if (priority.Count < minCount)
            {
                return false;
            }
            // Its count drops to zero as the caller rewrites the words that hold it.
            return true;
        }
        return false;
    }

    /// <summary>The words the pair may occur in, copied so that the caller may update the table while it goes through them.</summary>
    public int[] WordsWith((int Left, int Right) pair) =>
        _words.Remove(pair, out HashSet<int>? set) ? set.Order().ToArray() : [];
}
