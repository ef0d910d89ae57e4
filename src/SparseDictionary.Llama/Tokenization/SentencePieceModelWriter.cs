using System.Text;
using SparseDictionary.Formats;

namespace SparseDictionary.Llama;

/// <summary>
/// Writes a vocabulary as a SentencePiece <c>tokenizer.model</c> (a BPE <c>ModelProto</c> with byte fallback, as
/// Llama-2's), which SentencePieceTokenizer, SentencePiece and transformers read.
/// </summary>
/// <remarks>
/// <para>
/// Ids 0–2 become the <c>&lt;unk&gt;</c> (UNKNOWN), <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> (CONTROL) pieces, ids 3–258 the
/// BYTE pieces, and every other id a NORMAL piece with its score and its spaces written as "▁" (U+2581). The trainer spec
/// says BPE, byte fallback, <c>unk_id</c> 0, <c>bos_id</c> 1, <c>eos_id</c> 2, no pad; the normalizer spec says
/// <c>identity</c> (no Unicode normalisation), a dummy prefix, whitespace kept as it is and escaped: Llama-2's settings,
/// under which SentencePiece reads text as <see cref="Llama2cTokenizer"/> does.
/// </para>
/// <para>
/// A vocabulary that the format cannot hold is refused (see <see cref="CanWrite"/>): one with a NORMAL piece that
/// contains "▁" itself (SentencePiece would read it as a space), is empty or not UTF-8, or is spelled as a reserved
/// piece (<c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;0x41&gt;</c>…), since pieces must be unique.
/// </para>
/// </remarks>
public static class SentencePieceModelWriter
{
    /// <summary>SentencePiece's escaped space, "▁" (U+2581 LOWER ONE EIGHTH BLOCK).</summary>
    public const char SpaceSymbol = '\u2581';

    // sentencepiece_model.proto: ModelProto, its SentencePiece, TrainerSpec and NormalizerSpec field numbers.
    internal const int PiecesField = 1, TrainerSpecField = 2, NormalizerSpecField = 3;
    internal const int PieceField = 1, ScoreField = 2, TypeField = 3;
    private const int ModelTypeField = 3, VocabSizeField = 4, ByteFallbackField = 35;
    private const int UnkIdField = 40, BosIdField = 41, EosIdField = 42, PadIdField = 43;
    private const int NameField = 1, AddDummyPrefixField = 3, RemoveExtraWhitespacesField = 4, EscapeWhitespacesField = 5;
    // SentencePiece.Type and TrainerSpec.ModelType values.
    internal const int NormalType = 1, UnknownType = 2, ControlType = 3, UserDefinedType = 4, UnusedType = 5, ByteType = 6;
    private const int BpeModelType = 2;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Tells whether <paramref name="vocabulary"/> can be written as a SentencePiece model.</summary>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <param name="reason">Why not, naming the token; <see langword="null"/> when it can.</param>
    /// <returns><see langword="true"/> when <see cref="Save"/> would write it.</returns>
    public static bool CanWrite(BpeVocabulary vocabulary, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        reason = null;
        try
        {
            _ = Pieces(vocabulary);
            return true;
        }
        catch (ArgumentException e)
        {
            reason = e.Message;
            return false;
        }
    }

    /// <summary>
    /// Writes <paramref name="vocabulary"/> to <paramref name="path"/> atomically: into a temporary file beside it, then
    /// renamed over it, so that readers see the old file or the complete new one.
    /// </summary>
    /// <param name="path">The file to write, usually <c>tokenizer.model</c>.</param>
    /// <param name="vocabulary">The vocabulary.</param>
    /// <exception cref="ArgumentException">The format cannot hold the vocabulary (see <see cref="CanWrite"/>).</exception>
    public static void Save(string path, BpeVocabulary vocabulary)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        byte[] bytes = Serialize(vocabulary);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Encodes <paramref name="vocabulary"/> as a <c>ModelProto</c>.</summary>
    internal static byte[] Serialize(BpeVocabulary vocabulary)
    {
        var model = new ProtobufWriter();
        foreach ((string piece, float score, int type) in Pieces(vocabulary))
        {
            var message = new ProtobufWriter();
            message.WriteString(PieceField, piece);
            message.WriteFloat(ScoreField, score);
            message.WriteInt32(TypeField, type);
            model.WriteMessage(PiecesField, message);
        }

        var trainer = new ProtobufWriter();
        trainer.WriteInt32(ModelTypeField, BpeModelType);
        trainer.WriteInt32(VocabSizeField, vocabulary.Count);
        trainer.WriteBool(ByteFallbackField, true);
        trainer.WriteInt32(UnkIdField, Llama2cTokenizer.UnknownId);
        trainer.WriteInt32(BosIdField, 1);
        trainer.WriteInt32(EosIdField, 2);
        trainer.WriteInt32(PadIdField, -1);
        model.WriteMessage(TrainerSpecField, trainer);

        var normalizer = new ProtobufWriter();
        normalizer.WriteString(NameField, "identity");
        normalizer.WriteBool(AddDummyPrefixField, true);
        normalizer.WriteBool(RemoveExtraWhitespacesField, false);
        normalizer.WriteBool(EscapeWhitespacesField, true);
        model.WriteMessage(NormalizerSpecField, normalizer);
        return model.ToArray();
    }

    // Each id's piece, score and type; throws ArgumentException naming the first token the format cannot hold.
    private static List<(string Piece, float Score, int Type)> Pieces(BpeVocabulary vocabulary)
    {
        const int firstNormal = Llama2cTokenizer.FirstByteId + 256;
        if (vocabulary.Count <= firstNormal)
        {
            throw new ArgumentException($"The vocabulary has {vocabulary.Count} tokens; the unknown, control and byte pieces take the first {firstNormal}.", nameof(vocabulary));
        }
        var pieces = new List<(string, float, int)>(vocabulary.Count)
        {
            ("<unk>", 0, UnknownType),
            ("<s>", 0, ControlType),
            ("</s>", 0, ControlType),
        };
        for (int b = 0; b < 256; b++)
        {
            int id = b + Llama2cTokenizer.FirstByteId;
            string expected = $"<0x{b:X2}>";
            if (!vocabulary.Pieces[id].AsSpan().SequenceEqual(Encoding.ASCII.GetBytes(expected)))
            {
                throw new ArgumentException($"Token {id} is not the byte piece {expected}.", nameof(vocabulary));
            }
            pieces.Add((expected, 0, ByteType));
        }
        var seen = new HashSet<string>(pieces.Select(p => p.Item1), StringComparer.Ordinal);
        for (int id = firstNormal; id < vocabulary.Count; id++)
        {
            string text;
            try
            {
                text = StrictUtf8.GetString(vocabulary.Pieces[id]);
            }
            catch (DecoderFallbackException)
            {
                throw new ArgumentException($"Token {id}'s piece is not UTF-8.", nameof(vocabulary));
            }
            if (text.Length == 0 || text.Contains(SpaceSymbol))
            {
                throw new ArgumentException($"Token {id}'s piece '{text}' is empty or holds '{SpaceSymbol}', which SentencePiece reads as a space.", nameof(vocabulary));
            }
            string piece = text.Replace(' ', SpaceSymbol);
            if (!seen.Add(piece))
            {
                throw new ArgumentException($"Token {id}'s piece '{text}' is spelled as an earlier or reserved piece.", nameof(vocabulary));
            }
            if (float.IsNaN(vocabulary.Scores[id]))
            {
                throw new ArgumentException($"Token {id}'s score is NaN.", nameof(vocabulary));
            }
            pieces.Add((piece, vocabulary.Scores[id], NormalType));
        }
        return pieces;
    }
}
