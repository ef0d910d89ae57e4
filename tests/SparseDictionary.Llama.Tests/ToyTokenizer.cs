namespace SparseDictionary.Llama.Tests;

/// <summary>One token per letter ('a' = 3, 'b' = 4, …), spaces dropped; BOS 1, EOS 2.</summary>
internal sealed class ToyTokenizer : ITokenizer
{
    public int VocabSize => 29;

    public int BosId => 1;

    public int EosId => 2;

    public int[] Encode(string text, bool addBos)
    {
        IEnumerable<int> ids = text.Where(c => c != ' ').Select(c => c - 'a' + 3);
        return addBos ? [BosId, .. ids] : [.. ids];
    }

    public string Decode(ReadOnlySpan<int> ids) => new(ids.ToArray().Where(i => i > 2).Select(i => (char)('a' + i - 3)).ToArray());
}
