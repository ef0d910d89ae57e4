using Xunit;

namespace SparseDictionary.Llama.Tests;

public sealed class ModelTokenizerTests
{
    private const string Text = "the cat sat on the mat. the dog ate the bone.";

    private static BpeVocabulary Vocabulary() => BpeTrainer.Train([Text], new BpeTrainerOptions(vocabSize: 280));

    [Fact]
    public void Load_PrefersTokenizerModel()
    {
        using var dir = new TempDirectory();
        BpeVocabulary vocabulary = Vocabulary();
        Llama2cTokenizerWriter.Save(dir.File(HuggingFaceCheckpoint.TokenizerFileName), vocabulary);
        SentencePieceModelWriter.Save(dir.File(HuggingFaceCheckpoint.SentencePieceFileName), vocabulary);

        ITokenizer tokenizer = ModelTokenizer.Load(dir.Path);

        Assert.IsType<SentencePieceTokenizer>(tokenizer);
        Assert.Equal(Llama2cTokenizer.Load(dir.File(HuggingFaceCheckpoint.TokenizerFileName), vocabulary.Count).Encode(Text, addBos: true),
            tokenizer.Encode(Text, addBos: true));
        Assert.IsType<SentencePieceTokenizer>(ModelTokenizer.Load(dir.Path, vocabSize: vocabulary.Count + 5));
    }

    [Fact]
    public void Load_OnlyTokenizerBin_NeedsTheVocabularySize()
    {
        using var dir = new TempDirectory();
        BpeVocabulary vocabulary = Vocabulary();
        string bin = dir.File(HuggingFaceCheckpoint.TokenizerFileName);
        Llama2cTokenizerWriter.Save(bin, vocabulary);

        ITokenizer tokenizer = ModelTokenizer.Load(dir.Path, vocabulary.Count);
        Assert.IsType<Llama2cTokenizer>(tokenizer);
        Assert.Equal(vocabulary.Count, tokenizer.VocabSize);

        var error = Assert.Throws<ModelFormatException>(() => ModelTokenizer.Load(dir.Path));
        Assert.Equal(bin, error.FilePath);
        Assert.Contains("config.json", error.Message);
    }

    [Fact]
    public void Load_TokenizerModelLargerThanTheModel_IsRefused()
    {
        using var dir = new TempDirectory();
        BpeVocabulary vocabulary = Vocabulary();
        string model = dir.File(HuggingFaceCheckpoint.SentencePieceFileName);
        SentencePieceModelWriter.Save(model, vocabulary);

        var error = Assert.Throws<ModelFormatException>(() => ModelTokenizer.Load(dir.Path, vocabulary.Count - 1));
        Assert.Equal(model, error.FilePath);
    }

    [Fact]
    public void Load_NeitherFile_NamesTheFolder()
    {
        using var dir = new TempDirectory();

        var error = Assert.Throws<ModelFormatException>(() => ModelTokenizer.Load(dir.Path));
        Assert.Equal(dir.Path, error.FilePath);
        Assert.Contains("neither tokenizer.model nor tokenizer.bin", error.Message);
    }
}
