namespace SparseDictionary.Llama;

/// <summary>
/// A trained SentencePiece-BPE vocabulary in llama2.c's layout: each token's piece (UTF-8 bytes, spaces as plain spaces)
/// and merge score, indexed by token id.
/// </summary>
/// <remarks>
/// Ids 0–2 are <c>&lt;unk&gt;</c>, BOS and EOS, ids 3–258 the byte pieces, then the merged pieces in merge order (score
/// −1, −2, …: an earlier merge scores higher and so is applied first when encoding), then the single characters (lower
/// scores still; a character is never the result of a merge, so its score does not affect encoding).
/// </remarks>
public sealed class BpeVocabulary
{
    internal BpeVocabulary(IReadOnlyList<byte[]> pieces, IReadOnlyList<float> scores, int mergeCount)
    {
        Pieces = pieces;
        Scores = scores;
        MergeCount = mergeCount;
    }

    /// <summary>Gets each token's piece as UTF-8 bytes.</summary>
    public IReadOnlyList<byte[]> Pieces { get; }

    /// <summary>Gets each token's merge score.</summary>
    public IReadOnlyList<float> Scores { get; }

    /// <summary>Gets the number of merged pieces, which follow the byte pieces.</summary>
    public int MergeCount { get; }

    /// <summary>Gets the number of tokens.</summary>
    public int Count => Pieces.Count;
}
