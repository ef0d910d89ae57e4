using System.Text;
using Microsoft.ML.Tokenizers;
using static SparseDictionary.Llama.SentencePieceModelWriter;

namespace SparseDictionary.Llama;

/// <summary>
/// A SentencePiece BPE tokenizer read from a <c>tokenizer.model</c> (Llama-2's format). Microsoft.ML.Tokenizers'
/// <see cref="LlamaTokenizer"/> reads and checks the model and normalises the text; the merges follow SentencePiece.
/// </summary>
/// <remarks>
/// <para>
/// Encoding: <see cref="LlamaTokenizer"/>'s normaliser puts "▁" before non-empty text and writes spaces as "▁" (as the
/// model's normaliser spec says); each code point becomes its piece, or, when the model lacks it, its UTF-8 bytes'
/// <c>&lt;0xNN&gt;</c> pieces (byte fallback) or <see cref="UnknownId"/>, which never merge; then the adjacent pair whose
/// concatenation is the NORMAL or USER_DEFINED piece of highest score is merged, the leftmost on ties, until no pair is
/// such a piece. BOS and EOS are added here, so empty text with BOS is <c>[BOS]</c>.
/// </para>
/// <para>
/// The merges are SentencePiece's (<c>bpe_model.cc</c>) and <see cref="Llama2cTokenizer"/>'s rather than
/// <see cref="LlamaTokenizer"/>'s because Microsoft.ML.Tokenizers 2.0.1 merges the rightmost of two equal-scored
/// overlapping pairs first (as "00" in "4000", giving "40" "00" where SentencePiece gives "400" "0") and also merges into
/// control, unknown and byte pieces. On WikiText-2's validation paragraphs with a 1,024-token vocabulary this changed
/// 152 of 3,760 paragraphs' tokens (9 with 4,096 tokens). So a model that <see cref="SentencePieceModelWriter"/> wrote
/// tokenizes exactly as <see cref="Llama2cTokenizer"/> on the same vocabulary, except for text holding "▁" (U+2581),
/// which SentencePiece reads as a space. Two simplifications against SentencePiece, neither of which Llama-2's model or
/// ours meets: a character that is not a piece never merges (SentencePiece would merge it into a piece holding it, but
/// trained vocabularies hold every character of their pieces), and USER_DEFINED pieces merge like NORMAL ones
/// (SentencePiece matches them whole before merging).
/// </para>
/// <para>
/// Decoding follows SentencePiece and <see cref="Llama2cTokenizer.Decode"/>: control pieces (BOS, EOS) are dropped, the
/// unknown piece reads " ⁇ ", byte pieces are joined into UTF-8, "▁" reads as a space, and the first piece loses the
/// leading space that the dummy prefix put there.
/// </para>
/// </remarks>
public sealed class SentencePieceTokenizer : ITokenizer
{

    // SentencePiece decodes <unk> as " ⁇ " (its unk_surface).
    private static readonly byte[] UnknownSurface = Encoding.UTF8.GetBytes(" \u2047 ");

    private readonly LlamaTokenizer _tokenizer;
    private readonly Model _model;
    // The NORMAL and USER_DEFINED pieces, which text is matched against.
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    // Byte b's id when the model falls back to bytes; null when it does not.
    private readonly int[]? _byteIds;

    private SentencePieceTokenizer(LlamaTokenizer tokenizer, Model model, int[]? byteIds)
    {
        _tokenizer = tokenizer;
        _model = model;
        _byteIds = byteIds;
        for (int id = 0; id < model.Pieces.Length; id++)
        {
            if (model.Types[id] is NormalType or UserDefinedType)
            {
                _ids.TryAdd(model.Pieces[id], id);
            }
        }
    }

    /// <inheritdoc />
    public int VocabSize => _model.Pieces.Length;

    /// <inheritdoc />
    public int BosId => _tokenizer.BeginningOfSentenceId;

    /// <inheritdoc />
    public int EosId => _tokenizer.EndOfSentenceId;

    /// <summary>Gets the id of the unknown piece, <c>&lt;unk&gt;</c>.</summary>
    public int UnknownId => _tokenizer.UnknownId;

    /// <summary>Reads a SentencePiece <c>tokenizer.model</c>.</summary>
    /// <param name="path">The model file.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="ModelFormatException">
    /// The file is missing or unreadable; is not a SentencePiece BPE model with the identity normaliser, spaces escaped
    /// as prefixes (the kind <see cref="LlamaTokenizer"/> reads); has a NaN score or a special id out of range; or falls
    /// back to bytes without all 256 byte pieces.
    /// </exception>
    public static SentencePieceTokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        byte[] bytes = TokenizerFile.ReadAllBytes(fullPath);

        LlamaTokenizer tokenizer;
        Model model;
        try
        {
            tokenizer = LlamaTokenizer.Create(new MemoryStream(bytes, writable: false), addBeginOfSentence: false, addEndOfSentence: false);
            model = ReadPieces(bytes);
        }
        // LlamaTokenizer does not check the message it parses: a missing trainer or normaliser spec is a NullReferenceException.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw ModelFormatException.ForFile(fullPath, $"the file is not a SentencePiece BPE model that LlamaTokenizer reads: {e.Message}", e);
        }
        return new SentencePieceTokenizer(tokenizer, model, Validate(fullPath, tokenizer, model));
    }

    /// <summary>Returns the piece of <paramref name="id"/> as the model spells it, such as <c>▁the</c> or <c>&lt;0x0A&gt;</c>.</summary>
    /// <param name="id">A token id.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a token id.</exception>
    public string GetPiece(int id) => _model.Pieces[CheckId(id)];

    /// <summary>Returns the score of <paramref name="id"/>; higher scores merge first.</summary>
    /// <param name="id">A token id.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not a token id.</exception>
    public float GetScore(int id) => _model.Scores[CheckId(id)];

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
        string normalized = text.Length == 0 ? text : _tokenizer.Normalizer!.Normalize(text);
        var symbols = new List<BpeSymbol>(normalized.Length);
        foreach (Rune rune in normalized.EnumerateRunes())
        {
            string character = rune.ToString();
            if (_ids.TryGetValue(character, out int id))
            {
                symbols.Add(new BpeSymbol(id, character, Mergeable: true));
            }
            else if (_byteIds is null)
            {
                symbols.Add(new BpeSymbol(UnknownId, "", Mergeable: false));
            }
            else
            {
                foreach (byte b in Encoding.UTF8.GetBytes(character))
                {
                    symbols.Add(new BpeSymbol(_byteIds[b], "", Mergeable: false));
                }
            }
        }
        var ids = new List<int>(symbols.Count + 2);
        if (addBos) ids.Add(BosId);
        ids.AddRange(BpeMerger.Merge(symbols, _ids, _model.Scores));
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
            switch (_model.Types[CheckId(id)])
            {
                case ControlType:
                    continue;
                case UnknownType:
                    bytes.AddRange(UnknownSurface);
                    break;
                case ByteType when _byteIds is not null:
                    bytes.Add(Convert.ToByte(_model.Pieces[id][3..5], 16));
                    break;
                default:
                    string piece = _model.Pieces[id].Replace(SpaceSymbol, ' ');
                    // SentencePiece drops the dummy-prefix space that encoding put before the text.
                    bool dropSpace = first && _tokenizer.AddDummyPrefix && piece.StartsWith(' ');
                    bytes.AddRange(Encoding.UTF8.GetBytes(dropSpace ? piece[1..] : piece));
                    break;
            }
            first = false;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private int CheckId(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, VocabSize);
        return id;
    }

    // Each piece's text, score and type, in id order; LlamaTokenizer keeps the scores and types to itself.
    private static Model ReadPieces(ReadOnlySpan<byte> bytes)
    {
        var pieces = new List<string>();
        var scores = new List<float>();
        var types = new List<int>();
        var reader = new ProtobufReader(bytes);
        while (reader.TryReadTag(out int field, out int wireType))
        {
            if (field != PiecesField || wireType != ProtobufReader.LengthDelimitedWireType)
            {
                reader.Skip(wireType);
                continue;
            }
            var message = new ProtobufReader(reader.ReadLengthDelimited());
            (string piece, float score, int type) = ("", 0f, NormalType);
            while (message.TryReadTag(out int pieceField, out int pieceWireType))
            {
                switch ((pieceField, pieceWireType))
                {
                    case (PieceField, ProtobufReader.LengthDelimitedWireType): piece = Encoding.UTF8.GetString(message.ReadLengthDelimited()); break;
                    case (ScoreField, ProtobufReader.Fixed32WireType): score = message.ReadFloat(); break;
                    case (TypeField, ProtobufReader.VarintWireType): type = (int)message.ReadVarint(); break;
                    default: message.Skip(pieceWireType); break;
                }
            }
            pieces.Add(piece);
            scores.Add(score);
            types.Add(type);
        }
        return new Model(pieces.ToArray(), scores.ToArray(), types.ToArray());
    }

    // Checks what encoding and decoding rely on and LlamaTokenizer leaves unchecked; returns the byte pieces' ids, if any.
    private static int[]? Validate(string path, LlamaTokenizer tokenizer, Model model)
    {
        int count = model.Pieces.Length;
        if (count == 0)
        {
            throw ModelFormatException.ForField(path, "pieces", "the model has no pieces.");
        }
        if (tokenizer.Vocabulary.Count != count || tokenizer.Vocabulary.Any(p => model.Pieces[p.Value] != p.Key))
        {
            throw ModelFormatException.ForField(path, "pieces", "the pieces read differently from LlamaTokenizer's.");
        }
        foreach ((string field, int id) in (ReadOnlySpan<(string, int)>)[("unk_id", tokenizer.UnknownId), ("bos_id", tokenizer.BeginningOfSentenceId), ("eos_id", tokenizer.EndOfSentenceId)])
        {
            if (id >= count)
            {
                throw ModelFormatException.ForField(path, field, $"{id} is not below the {count} pieces.");
            }
        }
        if (!tokenizer.EscapeWhiteSpaces || tokenizer.TreatWhitespaceAsSuffix)
        {
            throw ModelFormatException.ForField(path, "normalizer_spec", "spaces must be escaped as '▁' and treated as prefixes, as in Llama-2's tokenizer.");
        }
        int nan = Array.FindIndex(model.Scores, float.IsNaN);
        if (nan >= 0)
        {
            throw ModelFormatException.ForField(path, $"pieces[{nan}]", "the score is NaN.");
        }
        if (!tokenizer.ByteFallback)
        {
            return null;
        }
        var byteIds = new int[256];
        Array.Fill(byteIds, -1);
        for (int id = 0; id < count; id++)
        {
            string piece = model.Pieces[id];
            if (model.Types[id] == ByteType)
            {
                bool isByte = piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
                    && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out byte b) && piece == $"<0x{b:X2}>";
                if (!isByte)
                {
                    throw ModelFormatException.ForField(path, $"pieces[{id}]", $"the BYTE piece {ModelFormatException.Quote(piece)} is not <0xNN>.");
                }
                byteIds[Convert.ToByte(piece[3..5], 16)] = id;
            }
        }
        int missing = Array.IndexOf(byteIds, -1);
        if (missing >= 0)
        {
            throw ModelFormatException.ForField(path, "pieces", $"the model falls back to bytes but has no BYTE piece <0x{missing:X2}>.");
        }
        return byteIds;
    }

    private sealed record Model(string[] Pieces, float[] Scores, int[] Types);
}
