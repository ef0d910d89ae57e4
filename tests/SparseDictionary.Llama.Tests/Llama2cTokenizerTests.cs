using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class Llama2cTokenizerTests
{
    private static readonly Lazy<Llama2cTokenizer> Tok512 = new(() => Llama2cTokenizer.Load(Fixtures.Tok512, 512));

    [Fact]
    public void Encode_OnceUponATime_IsTheReferencePrompt()
    {
        Assert.Equal([1, 403, 407, 261, 378], Tok512.Value.Encode("Once upon a time", addBos: true));
        Assert.Equal([403, 407, 261, 378], Tok512.Value.Encode("Once upon a time", addBos: false));
        Assert.Equal([1, 403, 407, 261, 378, 2], Tok512.Value.Encode("Once upon a time", addBos: true, addEos: true));
    }

    [Fact]
    public void Decode_RoundTripsThePrompt()
    {
        Assert.Equal("Once upon a time", Tok512.Value.Decode([1, 403, 407, 261, 378]));
        Assert.Equal("Once upon a time", Tok512.Value.Decode([403, 407, 261, 378, 2]));
    }

    [Fact]
    public void Pieces_AndSpecialIds()
    {
        ITokenizer tokenizer = Tok512.Value;
        Assert.Equal((512, 1, 2), (tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId));
        Assert.Equal(" Once", Tok512.Value.GetPiece(403));
        Assert.Equal("<0x41>", Tok512.Value.GetPiece('A' + Llama2cTokenizer.FirstByteId));
        Assert.True(Tok512.Value.GetScore(261) > Tok512.Value.GetScore(403));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("Hello, world! The little dog ran to the park.")]
    [InlineData("Naïve café — ünïcödé 😀 and 中文 fall back to bytes.")]
    [InlineData("  two leading spaces, trailing space ")]
    [InlineData("line one\nline two\ttab")]
    [InlineData("literal <0x41> stays text")]
    public void EncodeThenDecode_RoundTrips(string text)
    {
        int[] ids = Tok512.Value.Encode(text, addBos: true);

        Assert.Equal(1, ids[0]);
        Assert.All(ids, id => Assert.InRange(id, 0, 511));
        Assert.Equal(text, Tok512.Value.Decode(ids));
    }

    [Fact]
    public void Encode_EmptyText_IsOnlyBos()
    {
        Assert.Equal([1], Tok512.Value.Encode("", addBos: true));
        Assert.Empty(Tok512.Value.Encode("", addBos: false));
    }

    [Fact]
    public void Encode_UnknownCodePoint_FallsBackToItsUtf8Bytes()
    {
        int[] ids = Tok512.Value.Encode("😀", addBos: false);

        // The dummy-prefix space, then F0 9F 98 80 as byte pieces (id = byte + 3), which never merge.
        Assert.Equal([Tok512.Value.Encode(" ", false)[0], 0xF0 + 3, 0x9F + 3, 0x98 + 3, 0x80 + 3], ids);
    }

    [Fact]
    public void Encode_MergesLikeRunC()
    {
        // run.c's algorithm (rescan for the best pair after every merge) written out naively, against the tokenizer.
        string text = "Once upon a time, there was a little girl named Lily. She liked to play outside in the sunshine.";
        Assert.Equal(NaiveRunCEncode(Tok512.Value, text), Tok512.Value.Encode(text, addBos: false));
    }

    [Fact]
    public void Decode_RejectsOutOfRangeIds()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok512.Value.Decode([1, 512]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok512.Value.Decode([-1]));
    }

    [Fact]
    public void Decode_UnknownAndBytePieces()
    {
        int spaceA = Tok512.Value.Encode("a", false).Single();
        Assert.Equal(" a", Tok512.Value.GetPiece(spaceA));
        // Only the first piece loses its leading space; <unk> reads " ⁇ " as in SentencePiece.
        Assert.Equal("a ⁇  a", Tok512.Value.Decode([spaceA, 0, spaceA]));
        // UTF-8 for "é" split into byte pieces decodes back to the character.
        Assert.Equal("é", Tok512.Value.Decode([0xC3 + 3, 0xA9 + 3]));
    }

    [Fact]
    public void OtherVocabulary_Aidreams_RoundTrips()
    {
        var tokenizer = Llama2cTokenizer.Load(Fixtures.AidreamsTok512, 512);
        string text = "I was flying over a city of glass.";

        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addBos: true)));
    }

    private static int[] NaiveRunCEncode(Llama2cTokenizer tokenizer, string text)
    {
        var pieces = Enumerable.Range(0, tokenizer.VocabSize).ToDictionary(tokenizer.GetPiece, id => id);
        var ids = new List<int> { pieces[" "] };
        ids.AddRange(text.EnumerateRunes().Select(r => pieces[r.ToString()]));
        while (true)
        {
            (float score, int index, int id) best = (float.NegativeInfinity, -1, -1);
            for (int i = 0; i + 1 < ids.Count; i++)
            {
                if (pieces.TryGetValue(tokenizer.GetPiece(ids[i]) + tokenizer.GetPiece(ids[i + 1]), out int merged)
                    && tokenizer.GetScore(merged) > best.score)
                {
                    best = (tokenizer.GetScore(merged), i, merged);
                }
            }
            if (best.index < 0) return ids.ToArray();
            ids[best.index] = best.id;
            ids.RemoveAt(best.index + 1);
        }
    }
}
