using System.Text;
using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class BpeTrainerTests
{
    private static List<string> MergedPieces(BpeVocabulary vocabulary) =>
        Enumerable.Range(Llama2cTokenizer.FirstByteId + 256, vocabulary.MergeCount).Select(id => Encoding.UTF8.GetString(vocabulary.Pieces[id])).ToList();

    [Fact]
    public void Train_AaabAaab_MergesInTheHandComputedOrder()
    {
        // " aaab" twice: (a,a) 4 times wins; then " aa", " aaa", " aaab" tie with "aaa"/"ab" at 2 and win on ordinal order.
        BpeVocabulary vocabulary = BpeTrainer.Train(["aaab aaab"], new BpeTrainerOptions(vocabSize: 300));

        Assert.Equal(["aa", " aa", " aaa", " aaab"], MergedPieces(vocabulary));
        // Then the characters, the space first and the rest by frequency.
        Assert.Equal([" ", "a", "b"], Enumerable.Range(263, 3).Select(id => Encoding.UTF8.GetString(vocabulary.Pieces[id])));
        Assert.Equal(266, vocabulary.Count);
        Assert.Equal([-1f, -2f, -3f, -4f, -5f, -6f, -7f], vocabulary.Scores.Skip(259));
    }

    [Fact]
    public void Train_StopsAtTheVocabularySize()
    {
        BpeVocabulary vocabulary = BpeTrainer.Train(["aaab aaab"], new BpeTrainerOptions(vocabSize: 264));

        Assert.Equal(["aa", " aa"], MergedPieces(vocabulary));
        Assert.Equal(264, vocabulary.Count);
    }

    [Fact]
    public void SavedFile_LoadsAndEncodesWithTheMerges()
    {
        using var dir = new TempDirectory();
        BpeVocabulary vocabulary = BpeTrainer.Train(["aaab aaab"], new BpeTrainerOptions(vocabSize: 300));
        string path = dir.File("tokenizer.bin");
        Llama2cTokenizerWriter.Save(path, vocabulary);

        var tokenizer = Llama2cTokenizer.Load(path, vocabulary.Count);

        Assert.Equal([262, 262], tokenizer.Encode("aaab aaab", addBos: false));
        // " aab": " aa" (score −2), and no piece joins it to "b".
        Assert.Equal([260, 265], tokenizer.Encode("aab", addBos: false));
        Assert.Equal("\n<s>\n", tokenizer.GetPiece(1));
        Assert.Equal("<0xFF>", tokenizer.GetPiece(258));
    }

    [Fact]
    public void TrainedTokenizer_RoundTripsUnseenTextAndCompresses()
    {
        string corpus = File.ReadAllText(Path.Combine(Fixtures.Corpora, "wikitext2-valid.txt"))[..200_000];
        string[] lines = corpus.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var dir = new TempDirectory();
        BpeVocabulary vocabulary = BpeTrainer.Train(lines, new BpeTrainerOptions(vocabSize: 1024));
        Assert.Equal(1024, vocabulary.Count);
        string path = dir.File("tokenizer.bin");
        Llama2cTokenizerWriter.Save(path, vocabulary);
        var tokenizer = Llama2cTokenizer.Load(path, vocabulary.Count);

        const string unseen = "Zebras ÿ naïvely quaffed 42 Ωmega-lattes 🦓 in Kraków\ttoday\n  twice.";
        Assert.Equal(unseen, tokenizer.Decode(tokenizer.Encode(unseen, addBos: true, addEos: true)));
        int[] ids = tokenizer.Encode(corpus, addBos: false);
        // About 2.8 bytes a token with 1,024 tokens; bytes alone would be one.
        Assert.True(ids.Length * 5 < 2 * Encoding.UTF8.GetByteCount(corpus), $"{ids.Length} tokens for {Encoding.UTF8.GetByteCount(corpus)} bytes");
    }
}
