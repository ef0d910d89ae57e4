namespace SparseDictionary.Llama;

/// <summary>The perplexity of a unigram model, the baseline a language model must beat by far.</summary>
public static class UnigramBaseline
{
    /// <summary>
    /// Returns the perplexity on <paramref name="heldOutTokens"/> of token frequencies counted on
    /// <paramref name="trainTokens"/> with add-one smoothing: <c>p(t) = (count(t) + 1) / (N + V)</c>.
    /// </summary>
    /// <param name="trainTokens">The training tokens.</param>
    /// <param name="heldOutTokens">The held-out tokens; not empty.</param>
    /// <param name="vocabSize">The number of tokens <c>V</c>; every token id must be below it.</param>
    /// <returns><c>exp(−mean log p(t))</c> over the held-out tokens.</returns>
    public static double Perplexity(ReadOnlySpan<int> trainTokens, ReadOnlySpan<int> heldOutTokens, int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        if (heldOutTokens.IsEmpty)
        {
            throw new ArgumentException("The held-out tokens are empty.", nameof(heldOutTokens));
        }
        var counts = new long[vocabSize];
        foreach (int token in trainTokens)
        {
            counts[CheckToken(token, vocabSize, nameof(trainTokens))]++;
        }
        double denominator = trainTokens.Length + (double)vocabSize;
        double negativeLogLikelihood = 0;
        foreach (int token in heldOutTokens)
        {
            negativeLogLikelihood -= Math.Log((counts[CheckToken(token, vocabSize, nameof(heldOutTokens))] + 1) / denominator);
        }
        return Math.Exp(negativeLogLikelihood / heldOutTokens.Length);
    }

    private static int CheckToken(int token, int vocabSize, string name) =>
        token >= 0 && token < vocabSize ? token : throw new ArgumentOutOfRangeException(name, token, $"A token id is outside the vocabulary of {vocabSize}.");
}
