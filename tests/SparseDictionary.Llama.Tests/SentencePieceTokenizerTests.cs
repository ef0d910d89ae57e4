using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class SentencePieceTokenizerTests
{
    // After <unk>, <s>, </s> and the 256 byte pieces (ids 0–258): merges scored by priority, then characters.
    private static readonly (string Piece, float Score)[] HandPieces =
    [
        (" t", -1), ("he", -2), (" the", -3), ("ll", -4), ("llo", -5), (" he", -6), (" hello", -7), // 259–265
        (" ", -8), ("t", -9), ("h", -10), ("e", -11), ("l", -12), ("o", -13), ("é", -14), ("a", -15), ("aa", -16), // 266–274
    ];

    private static BpeVocabulary HandVocabulary()
    {
        var pieces = new List<byte[]> { "<unk>"u8.ToArray(), "\n<s>\n"u8.ToArray(), "\n</s>\n"u8.ToArray() };
        var scores = new List<float> { 0, 0, 0 };
        for (int b = 0; b < 256; b++)
        {
            pieces.Add(Encoding.ASCII.GetBytes($"<0x{b:X2}>"));
            scores.Add(0);
        }
        foreach ((string piece, float score) in HandPieces)
        {
            pieces.Add(Encoding.UTF8.GetBytes(piece));
            scores.Add(score);
        }
        return new BpeVocabulary(pieces, scores, mergeCount: 7);
    }

    private static (SentencePieceTokenizer SentencePiece, Llama2cTokenizer Llama2c) Both(TempDirectory dir, BpeVocabulary vocabulary)
    {
        SentencePieceModelWriter.Save(dir.File("tokenizer.model"), vocabulary);
        Llama2cTokenizerWriter.Save(dir.File("tokenizer.bin"), vocabulary);
        return (SentencePieceTokenizer.Load(dir.File("tokenizer.model")), Llama2cTokenizer.Load(dir.File("tokenizer.bin"), vocabulary.Count));
    }

    [Fact]
    public void Serialize_FirstPieceAndSpecs_AreTheHandEncodedProtobuf()
    {
        byte[] bytes = SentencePieceModelWriter.Serialize(HandVocabulary());

        // pieces (field 1) { piece (1) "<unk>", score (2, fixed32) 0, type (3) UNKNOWN = 2 }.
        byte[] unk = [0x0A, 0x0E, 0x0A, 0x05, .. "<unk>"u8, 0x15, 0, 0, 0, 0, 0x18, 0x02];
        Assert.Equal(unk, bytes[..unk.Length]);
        byte[] specs =
        [
            // trainer_spec (2): model_type (3) BPE = 2, vocab_size (4) 275, byte_fallback (35) true, unk_id (40) 0,
            // bos_id (41) 1, eos_id (42) 2, pad_id (43) -1 as a sign-extended ten-byte varint.
            0x12, 0x1D, 0x18, 0x02, 0x20, 0x93, 0x02, 0x98, 0x02, 0x01, 0xC0, 0x02, 0x00, 0xC8, 0x02, 0x01, 0xD0, 0x02, 0x02,
            0xD8, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
            // normalizer_spec (3): name (1) "identity", add_dummy_prefix (3) true, remove_extra_whitespaces (4) false,
            // escape_whitespaces (5) true.
            0x1A, 0x10, 0x0A, 0x08, .. "identity"u8, 0x18, 0x01, 0x20, 0x00, 0x28, 0x01,
        ];
        Assert.Equal(specs, bytes[^specs.Length..]);
    }

    [Fact]
    public void HandMadeModel_PiecesAndSpecialIds()
    {
        using var dir = new TempDirectory();
        (SentencePieceTokenizer tokenizer, _) = Both(dir, HandVocabulary());

        Assert.Equal((275, 1, 2, 0), (tokenizer.VocabSize, tokenizer.BosId, tokenizer.EosId, tokenizer.UnknownId));
        Assert.Equal(["<unk>", "<s>", "</s>", "<0x00>", "<0xFF>", "▁t", "▁the", "▁", "é", "aa"],
            new[] { 0, 1, 2, 3, 258, 259, 261, 266, 272, 274 }.Select(tokenizer.GetPiece));
        Assert.Equal([0f, 0f, -1f, -3f, -16f], new[] { 0, 3, 259, 261, 274 }.Select(tokenizer.GetScore));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.GetPiece(275));
    }

    [Theory]
    // " hello the": " t" (−1), "he" twice (−2, left first), " the" (−3), "ll" (−4), "llo" (−5), " he" (−6), " hello" (−7).
    [InlineData("hello the", new[] { 265, 261 })]
    [InlineData("the", new[] { 261 })]
    // "héllo": "ll", then "llo"; " h", "hé" and "él" are no pieces.
    [InlineData("héllo", new[] { 266, 268, 272, 263 })]
    // "ü" is no piece: its UTF-8 bytes C3 BC fall back to ids 0xC3 + 3 and 0xBC + 3; "\n" to 0x0A + 3.
    [InlineData("tü\nt", new[] { 259, 198, 191, 13, 267 })]
    [InlineData("", new int[0])]
    public void Encode_HandMadeModel_GivesTheHandComputedIds(string text, int[] expected)
    {
        using var dir = new TempDirectory();
        (SentencePieceTokenizer tokenizer, Llama2cTokenizer llama2c) = Both(dir, HandVocabulary());

        Assert.Equal(expected, tokenizer.Encode(text, addBos: false));
        Assert.Equal([1, .. expected], tokenizer.Encode(text, addBos: true));
        Assert.Equal([1, .. expected, 2], tokenizer.Encode(text, addBos: true, addEos: true));
        Assert.Equal(expected, llama2c.Encode(text, addBos: false));
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addBos: true, addEos: true)));
    }

    [Fact]
    public void Encode_OverlappingEqualPairs_MergesTheLeftmost_UnlikeLlamaTokenizer()
    {
        // " aaa" has "aa" at two overlapping places: SentencePiece and llama2.c merge the left one first; Microsoft.ML.Tokenizers
        // 2.0.1's LlamaTokenizer the right one, which is why SentencePieceTokenizer does its own merges.
        using var dir = new TempDirectory();
        (SentencePieceTokenizer tokenizer, Llama2cTokenizer llama2c) = Both(dir, HandVocabulary());
        using FileStream stream = File.OpenRead(dir.File("tokenizer.model"));
        LlamaTokenizer library = LlamaTokenizer.Create(stream, false, false);

        Assert.Equal([266, 274, 273], tokenizer.Encode("aaa", addBos: false));
        Assert.Equal([266, 274, 273], llama2c.Encode("aaa", addBos: false));
        Assert.Equal([266, 273, 274], library.EncodeToIds("aaa", false, false));
        Assert.Equal("aaa", tokenizer.Decode(tokenizer.Encode("aaa", addBos: false)));
    }

    [Fact]
    public void Decode_DropsControlTokens_ShowsUnknown_AndJoinsBytes()
    {
        using var dir = new TempDirectory();
        (SentencePieceTokenizer tokenizer, Llama2cTokenizer llama2c) = Both(dir, HandVocabulary());
        int[] ids = [1, 261, 0, 259, 0xC3 + 3, 0xBC + 3, 2, 265];

        Assert.Equal("the ⁇  tü hello", tokenizer.Decode(ids));
        Assert.Equal(llama2c.Decode(ids), tokenizer.Decode(ids));
        Assert.Equal("", tokenizer.Decode([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([275]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([-1]));
    }

    [Fact]
    public void TrainedVocabulary_AgreesWithLlama2cOnWikiText_AndWithLlamaTokenizerWhereNoPairsTie()
    {
        string[] lines = File.ReadAllLines(Path.Combine(Fixtures.Corpora, "wikitext2-valid.txt")).Where(l => l.Length > 0).ToArray();
        BpeVocabulary vocabulary = BpeTrainer.Train(lines.Take(600), new BpeTrainerOptions(vocabSize: 1024));
        using var dir = new TempDirectory();
        (SentencePieceTokenizer tokenizer, Llama2cTokenizer llama2c) = Both(dir, vocabulary);
        using FileStream stream = File.OpenRead(dir.File("tokenizer.model"));
        LlamaTokenizer library = LlamaTokenizer.Create(stream, false, false);
        int compared = 0;

        foreach (string line in lines.Take(1500))
        {
            int[] ids = tokenizer.Encode(line, addBos: true);
            Assert.Equal(llama2c.Encode(line, addBos: true), ids);
            Assert.Equal(line, tokenizer.Decode(ids));
            // Three equal characters in a row ("000", "...") are where overlapping pairs can tie (see above).
            if (!Regex.IsMatch(line, @"(.)\1\1"))
            {
                Assert.Equal(ids[1..], library.EncodeToIds(line, false, false).ToArray());
                compared++;
            }
        }
        Assert.True(compared > 1200, $"{compared} lines without runs");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    [InlineData(0)]
    public void Load_TruncatedFile_NamesIt(double keep)
    {
        using var dir = new TempDirectory();
        string path = dir.File("tokenizer.model");
        byte[] bytes = SentencePieceModelWriter.Serialize(HandVocabulary());
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);

        var error = Assert.Throws<ModelFormatException>(() => SentencePieceTokenizer.Load(path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(2, 1000)]
    [InlineData(3, 20_000)]
    public void Load_RandomBytes_NamesTheFile(int seed, int length)
    {
        using var dir = new TempDirectory();
        string path = dir.File("tokenizer.model");
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        Assert.Equal(path, Assert.Throws<ModelFormatException>(() => SentencePieceTokenizer.Load(path)).FilePath);
    }

    [Fact]
    public void Load_UnigramModel_IsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("tokenizer.model");
        var trainer = new ProtobufWriter();
        trainer.WriteInt32(3, 1); // model_type UNIGRAM
        var model = new ProtobufWriter();
        model.WriteMessage(2, trainer);
        model.WriteMessage(3, new ProtobufWriter());
        File.WriteAllBytes(path, model.ToArray());

        Assert.Contains("Bpe", Assert.Throws<ModelFormatException>(() => SentencePieceTokenizer.Load(path)).Message);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        using var dir = new TempDirectory();
        string path = dir.File("missing.model");

        var error = Assert.Throws<ModelFormatException>(() => SentencePieceTokenizer.Load(path));
        Assert.Equal(path, error.FilePath);
        Assert.IsType<FileNotFoundException>(error.InnerException);
    }

    [Fact]
    public void Writer_RefusesWhatSentencePieceCannotHold()
    {
        BpeVocabulary good = HandVocabulary();
        Assert.True(SentencePieceModelWriter.CanWrite(good, out string? none));
        Assert.Null(none);

        foreach ((string piece, string why) in new[] { ("a▁", "holds '▁'"), ("<s>", "reserved"), ("aa", "reserved"), ("", "empty") })
        {
            var pieces = good.Pieces.Append(Encoding.UTF8.GetBytes(piece)).ToList();
            var bad = new BpeVocabulary(pieces, good.Scores.Append(-20f).ToList(), good.MergeCount);
            Assert.False(SentencePieceModelWriter.CanWrite(bad, out string? reason));
            Assert.Contains("Token 275", reason);
            Assert.Contains(why, reason);
            using var dir = new TempDirectory();
            Assert.Throws<ArgumentException>(() => SentencePieceModelWriter.Save(dir.File("tokenizer.model"), bad));
            Assert.False(File.Exists(dir.File("tokenizer.model")));
        }
    }
}
