using System.Globalization;

namespace SparseDictionary.Bridges.Features;

/// <summary>How each token of a vocabulary is shown: its piece, with SentencePiece's word-start mark as a space.</summary>
public static class TokenText
{
    /// <summary>
    /// Returns the display text of every token id: the piece of a SentencePiece or llama2.c tokenizer with <c>▁</c> shown as
    /// a space and byte tokens such as <c>&lt;0x0A&gt;</c> as the character they stand for when it is ASCII (a newline as
    /// <c>↵</c>); BOS and EOS as <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c>; for another tokenizer, the decoding of the token alone.
    /// </summary>
    /// <param name="tokenizer">The tokenizer.</param>
    public static string[] Vocabulary(ITokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        var texts = new string[tokenizer.VocabSize];
        for (int id = 0; id < texts.Length; id++)
        {
            if (id == tokenizer.BosId || id == tokenizer.EosId)
            {
                texts[id] = id == tokenizer.BosId ? "<s>" : "</s>";
                continue;
            }
            string? piece = tokenizer switch
            {
                SentencePieceTokenizer sp => sp.GetPiece(id),
                Llama2cTokenizer l2c => l2c.GetPiece(id),
                _ => null,
            };
            texts[id] = piece is null ? tokenizer.Decode([id]) : Display(piece);
        }
        return texts;
    }

    private static string Display(string piece)
    {
        if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece.EndsWith('>')
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
        {
            return b switch
            {
                (byte)'\n' => "↵",
                (byte)'\t' => "⇥",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => piece,
            };
        }
        return piece.Replace('▁', ' ');
    }
}
