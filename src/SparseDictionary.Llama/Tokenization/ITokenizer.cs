namespace SparseDictionary.Llama;

/// <summary>Turns text into a language model's token ids and back.</summary>
public interface ITokenizer
{
    /// <summary>Gets the number of tokens; every id is below it.</summary>
    int VocabSize { get; }

    /// <summary>Gets the beginning-of-sequence token.</summary>
    int BosId { get; }

    /// <summary>Gets the end-of-sequence token.</summary>
    int EosId { get; }

    /// <summary>Encodes <paramref name="text"/>.</summary>
    /// <param name="text">The text; may be empty.</param>
    /// <param name="addBos">Whether to put <see cref="BosId"/> first.</param>
    /// <returns>The token ids.</returns>
    int[] Encode(string text, bool addBos);

    /// <summary>Decodes token ids to text, dropping control tokens such as <see cref="BosId"/> and <see cref="EosId"/>.</summary>
    /// <param name="ids">The token ids, each below <see cref="VocabSize"/>.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An id is negative or not below <see cref="VocabSize"/>.</exception>
    string Decode(ReadOnlySpan<int> ids);
}
