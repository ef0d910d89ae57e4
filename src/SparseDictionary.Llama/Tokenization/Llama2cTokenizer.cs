using System.Buffers.Binary;
using System.Text;

namespace SparseDictionary.Llama;

/// <summary>
/// The SentencePiece-BPE tokenizer of llama2.c, read from its <c>tokenizer.bin</c>: <c>uint32 max_token_length</c>, then
/// per token a float32 merge score, an int32 byte length and the piece's UTF-8 bytes.
/// </summary>
/// <remarks>
/// <para>
/// Ids 0, 1 and 2 are <c>&lt;unk&gt;</c>, BOS and EOS; ids 3–258 are the byte pieces <c>&lt;0x00&gt;</c>…<c>&lt;0xFF&gt;</c>.
/// Encoding follows <c>run.c</c>: a space is put before non-empty text (SentencePiece's dummy prefix); each Unicode code
/// point becomes its piece, or its UTF-8 bytes' byte pieces when the vocabulary lacks it; then the adjacent pair whose
/// concatenation is the piece of highest score is merged, the leftmost on ties, until no pair is a piece.
/// </para>
/// <para>
/// Unlike <c>run.c</c>, the text is never matched against the unknown, control and byte pieces (so the literal text
/// <c>&lt;0x41&gt;</c> stays text, as in SentencePiece), and merges use a priority queue, so that long documents encode
/// in O(n log n) rather than O(n²) with the same result.
/// </para>
/// </remarks>
public sealed class Llama2cTokenizer : ITokenizer
{
    /// <summary>The id of <c>&lt;unk&gt;</c>.</summary>
    public const int UnknownId = 0;

    /// <summary>The id of the first byte piece, <c>&lt;0x00&gt;</c>; byte <c>b</c> is id <c>b + 3</c>.</summary>
    public const int FirstByteId = 3;

    // SentencePiece decodes <unk> as " ⁇ ".
    private static readonly byte[] UnknownSurface = Encoding.UTF8.GetBytes(" \u2047 ");

    private readonly byte[][] _pieces;
    private readonly float[] _scores;
    // Keys are pieces' bytes widened one byte per char (Latin-1), so that concatenating keys concatenates bytes.
    private readonly Dictionary<string, int> _ids;

    private Llama2cTokenizer(byte[][] pieces, float[] scores, int maxTokenLength)
    {
        _pieces = pieces;
        _scores = scores;
        MaxTokenLength = maxTokenLength;
        _ids = new Dictionary<string, int>(pieces.Length, StringComparer.Ordinal);
        for (int id = FirstByteId + 256; id < pieces.Length; id++)
        {
            // run.c's binary search finds any one of equal pieces; SentencePiece vocabularies have none. Keep the first.
            _ids.TryAdd(Encoding.Latin1.GetString(pieces[id]), id);
        }
    }

    /// <inheritdoc />
    public int VocabSize => _pieces.Length;

    /// <inheritdoc />
    public int BosId => 1;

    /// <inheritdoc />
    public int EosId => 2;

    /// <summary>Gets the longest piece's length in bytes, as the file declares it.</summary>
    public int MaxTokenLength { get; }

    /// <summary>Reads a llama2.c <c>tokenizer.bin</c>.</summary>
    /// <param name="path">The tokenizer file.</param>
    /// <param name="vocabSize">The number of tokens, which the file does not record: the model's vocabulary size.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ModelFormatException">
    /// The file is missing, holds fewer or more than <paramref name="vocabSize"/> tokens, or lacks the byte pieces at ids 3–258.
    /// </exception>
    public static Llama2cTokenizer Load(string path, int vocabSize)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Byte fallback needs ids 3–258; any real vocabulary has these and merges besides.
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, FirstByteId + 256);
        string fullPath = Path.GetFullPath(path);
        byte[] bytes = TokenizerFile.ReadAllBytes(fullPath);
        return Parse(fullPath, bytes, vocabSize);
    }

    /// <summary>Returns the piece of <paramref name="id"/> as text, such as <c> the</c> or <c>&lt;0x0A&gt;</c>.</summary>
    /// <param name="id">A token id.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a token id.</exception>
    public string GetPiece(int id) => Encoding.UTF8.GetString(_pieces[CheckId(id)]);

    /// <summary>Returns the merge score of <paramref name="id"/>; higher scores merge first.</summary>
    /// <param name="id">A token id.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a token id.</exception>
    public float GetScore(int id) => _scores[CheckId(id)];

    /// <inheritdoc />
    public int[] Encode(string text, bool addBos) => Encode(text, addBos, addEos: false);

    /// <summary>Encodes <paramref name="text"/>, optionally between BOS and EOS.</summary>
    /// <param name="text">The text; may be empty.</param>
    /// <param name="addBos">Whether to put <see cref="BosId"/> first.</param>
    /// <param name="addEos">Whether to put <see cref="EosId"/> last.</param>
    /// <returns>The token ids.</returns>
    public int[] Encode(string text, bool addBos, bool addEos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var symbols = new List<BpeSymbol>(text.Length + 1);
        if (text.Length > 0)
        {
            AddPiece(symbols, " ");
            foreach (Rune rune in text.EnumerateRunes())
            {
                AddPiece(symbols, rune.ToString());
            }
        }
        var ids = new List<int>(symbols.Count + 2);
        if (addBos) ids.Add(BosId);
        ids.AddRange(BpeMerger.Merge(symbols, _ids, _scores));
        if (addEos) ids.Add(EosId);
        return ids.ToArray();
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>(ids.Length * 4);
        bool first = true;
        foreach (int id in ids)
        {
            CheckId(id);
            if (id == BosId || id == EosId)
            {
                continue;
            }
            if (id == UnknownId)
            {
                bytes.AddRange(UnknownSurface);
            }
            else if (id < FirstByteId + 256)
            {
                bytes.Add((byte)(id - FirstByteId));
            }
            else
            {
                byte[] piece = _pieces[id];
                // SentencePiece drops the dummy-prefix space that encoding put before the text.
                bytes.AddRange(first && piece.Length > 0 && piece[0] == (byte)' ' ? piece.AsSpan(1) : piece);
            }
            first = false;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    // Looks up one code point (or the dummy prefix); unknown ones become their UTF-8 bytes' byte pieces, which never merge.
    private void AddPiece(List<BpeSymbol> symbols, string codePoint)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(codePoint);
        string key = Encoding.Latin1.GetString(utf8);
        if (_ids.TryGetValue(key, out int id))
        {
            symbols.Add(new BpeSymbol(id, key, Mergeable: true));
            return;
        }
        foreach (byte b in utf8)
        {
            symbols.Add(new BpeSymbol(b + FirstByteId, "", Mergeable: false));
        }
    }

    private int CheckId(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, VocabSize);
        return id;
    }

    private static Llama2cTokenizer Parse(string path, byte[] bytes, int vocabSize)
    {
        ReadOnlySpan<byte> rest = bytes;
        if (rest.Length < sizeof(uint))
        {
            throw ModelFormatException.ForField(path, "max_token_length", "the file ends before it.");
        }
        uint maxTokenLength = BinaryPrimitives.ReadUInt32LittleEndian(rest);
        if (maxTokenLength is 0 or > int.MaxValue)
        {
            throw ModelFormatException.ForField(path, "max_token_length", $"{maxTokenLength} is out of range.");
        }
        rest = rest[sizeof(uint)..];

        var pieces = new byte[vocabSize][];
        var scores = new float[vocabSize];
        for (int id = 0; id < vocabSize; id++)
        {
            string field = $"token {id}";
            if (rest.Length < sizeof(float) + sizeof(int))
            {
                throw ModelFormatException.ForField(path, field, $"the file ends before it: it holds {id} tokens, not the model's {vocabSize}.");
            }
            scores[id] = BinaryPrimitives.ReadSingleLittleEndian(rest);
            int length = BinaryPrimitives.ReadInt32LittleEndian(rest[sizeof(float)..]);
            rest = rest[(sizeof(float) + sizeof(int))..];
            if (float.IsNaN(scores[id]))
            {
                throw ModelFormatException.ForField(path, field, "the score is NaN.");
            }
            if (length < 0 || length > rest.Length)
            {
                throw ModelFormatException.ForField(path, field, $"the piece length {length} is negative or runs past the end of the file.");
            }
            pieces[id] = rest[..length].ToArray();
            rest = rest[length..];
        }
        if (!rest.IsEmpty)
        {
            throw ModelFormatException.ForFile(path, $"{rest.Length} bytes follow the {vocabSize} tokens; is the vocabulary size right?");
        }
        for (int b = 0; b < 256; b++)
        {
            string expected = $"<0x{b:X2}>";
            if (Encoding.Latin1.GetString(pieces[b + FirstByteId]) != expected)
            {
                throw ModelFormatException.ForField(path, $"token {b + FirstByteId}", $"expected the byte piece {expected}, found '{Encoding.UTF8.GetString(pieces[b + FirstByteId])}'.");
            }
        }
        return new Llama2cTokenizer(pieces, scores, (int)maxTokenLength);
    }
}
