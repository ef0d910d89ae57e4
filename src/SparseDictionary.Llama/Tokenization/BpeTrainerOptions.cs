namespace SparseDictionary.Llama;

/// <summary>Options of <see cref="BpeTrainer"/>. Every instance is valid: the constructor checks each value.</summary>
public sealed record BpeTrainerOptions
{
    /// <summary>Creates and validates the options.</summary>
    /// <param name="vocabSize">Total number of tokens: 3 specials, 256 byte pieces, the kept characters and the merges.</param>
    /// <param name="characterCoverage">
    /// Fraction of the text's characters that get their own piece, the most frequent first, as SentencePiece's
    /// <c>character_coverage</c>; the rarest rest fall back to byte pieces.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public BpeTrainerOptions(int vocabSize = 4096, double characterCoverage = 0.9995)
    {
        // Room for the specials, the byte pieces and at least one character.
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, Llama2cTokenizer.FirstByteId + 256 + 1);
        if (!(characterCoverage > 0 && characterCoverage <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(characterCoverage), characterCoverage, "The character coverage must be in (0, 1].");
        }
        VocabSize = vocabSize;
        CharacterCoverage = characterCoverage;
    }

    /// <summary>Gets the total number of tokens.</summary>
    public int VocabSize { get; }

    /// <summary>Gets the fraction of the text's characters that get their own piece.</summary>
    public double CharacterCoverage { get; }
}
