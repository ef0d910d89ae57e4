namespace SparseDictionary.Llama;

/// <summary>One symbol of a sequence being merged: its token id and its piece's bytes as a Latin-1 key.</summary>
internal readonly record struct BpeSymbol(int Id, string Key, bool Mergeable);

/// <summary>
/// Byte-pair merging as llama2.c's <c>encode</c> does it: repeatedly merge the adjacent pair whose concatenation is the
/// piece of highest score, the leftmost on ties, until no adjacent pair is a piece.
/// </summary>
/// <remarks>
/// A priority queue of candidate pairs (stale ones skipped when popped) replaces <c>run.c</c>'s rescan after every merge.
/// Merging keeps the left symbol's position, so "leftmost" is "smallest original position" throughout, and the result is
/// the same.
/// </remarks>
internal static class BpeMerger
{
    public static IEnumerable<int> Merge(List<BpeSymbol> symbols, IReadOnlyDictionary<string, int> ids, float[] scores)
    {
        int n = symbols.Count;
        var current = symbols.ToArray();
        var next = new int[n];
        var previous = new int[n];
        var alive = new bool[n];
        for (int i = 0; i < n; i++)
        {
            next[i] = i + 1 < n ? i + 1 : -1;
            previous[i] = i - 1;
            alive[i] = true;
        }

        var queue = new PriorityQueue<Candidate, (float Score, int Left)>(ScoreThenPosition.Instance);
        void Consider(int left)
        {
            int right = left >= 0 ? next[left] : -1;
            if (right < 0 || !current[left].Mergeable || !current[right].Mergeable)
            {
                return;
            }
            if (ids.TryGetValue(current[left].Key + current[right].Key, out int merged))
            {
                queue.Enqueue(new Candidate(left, right, current[left].Id, current[right].Id, merged), (scores[merged], left));
            }
        }

        for (int i = 0; i < n - 1; i++)
        {
            Consider(i);
        }
        while (queue.TryDequeue(out Candidate c, out _))
        {
            // Stale: a side was merged away or changed since the pair was queued.
            if (!alive[c.Left] || !alive[c.Right] || next[c.Left] != c.Right
                || current[c.Left].Id != c.LeftId || current[c.Right].Id != c.RightId)
            {
                continue;
            }
            current[c.Left] = new BpeSymbol(c.Merged, current[c.Left].Key + current[c.Right].Key, Mergeable: true);
            alive[c.Right] = false;
            next[c.Left] = next[c.Right];
            if (next[c.Right] >= 0)
            {
                previous[next[c.Right]] = c.Left;
            }
            Consider(previous[c.Left]);
            Consider(c.Left);
        }

        var result = new List<int>(n);
        for (int i = n > 0 ? 0 : -1; i >= 0; i = next[i])
        {
            result.Add(current[i].Id);
        }
        return result;
    }

    private readonly record struct Candidate(int Left, int Right, int LeftId, int RightId, int Merged);

    // Highest score first; among equal scores the leftmost pair, as run.c's strict ">" scan picks it.
    private sealed class ScoreThenPosition : IComparer<(float Score, int Left)>
    {
        public static readonly ScoreThenPosition Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y)
        {
            int byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : x.Left.CompareTo(y.Left);
        }
    }
}
