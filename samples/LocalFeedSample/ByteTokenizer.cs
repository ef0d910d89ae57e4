using System.Text;
using SparseDictionary.Llama;

/// <summary>A byte-level tokenizer for the sample's random model: ids 0–2 are unknown, BOS and EOS, then one id per byte.</summary>
internal sealed class ByteTokenizer : ITokenizer
{
    public int VocabSize => 3 + 256;

    public int BosId => 1;

    public int EosId => 2;

    public int[] Encode(string text, bool addBos) =>
        [.. (addBos ? [BosId] : Array.Empty<int>()), .. Encoding.UTF8.GetBytes(text).Select(b => 3 + b)];

    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, VocabSize);
            if (id >= 3) bytes.Add((byte)(id - 3));
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }
}
