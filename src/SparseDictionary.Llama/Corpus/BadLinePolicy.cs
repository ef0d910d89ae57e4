namespace SparseDictionary.Llama.Corpus;

/// <summary>What a line-oriented source does with a malformed line.</summary>
public enum BadLinePolicy
{
    /// <summary>Throw a <see cref="CorpusFormatException"/> naming the file and the line.</summary>
    Throw,

    /// <summary>Skip the line and count it.</summary>
    Skip,
}
