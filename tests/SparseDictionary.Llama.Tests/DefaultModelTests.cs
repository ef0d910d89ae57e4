using SparseDictionary.Llama.Corpus;
using Xunit;

namespace SparseDictionary.Llama.Tests;

/// <summary>
/// The embedded default model (<c>models/wikitext2-llama</c>, trained by <c>tools/TrainDefaultModel</c>) meets the
/// issue's bar: Llama-2 architecture with GQA and ≥ 6 layers, ≤ 20 MB, a standard subword tokenizer, and a held-out
/// perplexity far below a unigram model's.
/// </summary>
public sealed class DefaultModelTests
{
    private static string Folder => Path.GetFullPath(Path.Combine(Fixtures.Corpora, "..", "..", "models", "wikitext2-llama"));

    [Fact]
    public void Shape_HasGroupedQueryAttentionAndSixLayers()
    {
        LlamaConfig config = HuggingFaceCheckpoint.ReadConfig(Folder);
        Assert.True(config.LayerCount >= 6, $"{config.LayerCount} layers");
        Assert.True(config.KvHeadCount < config.HeadCount, $"{config.KvHeadCount} kv heads of {config.HeadCount}");
        long bytes = Directory.GetFiles(Folder).Sum(f => new FileInfo(f).Length);
        Assert.True(bytes <= 20_000_000, $"{bytes} bytes");
    }

    [Fact]
    public void HeldOutPerplexity_IsFarBelowUnigram()
    {
        WikiTextSplit split = WikiTextSplit.Read(Fixtures.Corpora);
        ITokenizer tokenizer = ModelTokenizer.Load(Folder);
        int[] Pack(IEnumerable<string> lines) => lines.SelectMany(l => tokenizer.Encode(l, addBos: true)).ToArray();
        int[] heldOut = Pack(split.HeldOutLines);
        int[] train = Pack(split.TrainLines);
        using LlamaModel model = HuggingFaceCheckpoint.Load(Folder);
        // 32 windows of 128 tokens (about 4k held-out predictions) keep the test quick; the whole held-out text gives 89.6.
        double perplexity = Math.Exp(LanguageModelTrainer.Evaluate(model, heldOut, contextLength: 128, batchSize: 16, maxWindows: 32));
        double unigram = UnigramBaseline.Perplexity(train, heldOut, tokenizer.VocabSize);
        Assert.InRange(unigram, 700, 800); // 757.95 as the training tool reports.
        Assert.True(perplexity < unigram / 4, $"model {perplexity:F1} vs unigram {unigram:F1}");
    }

    [Fact]
    public void BothTokenizerFiles_AgreeOnHeldOutText()
    {
        WikiTextSplit split = WikiTextSplit.Read(Fixtures.Corpora);
        var sentencePiece = SentencePieceTokenizer.Load(Path.Combine(Folder, "tokenizer.model"));
        var llama2c = Llama2cTokenizer.Load(Path.Combine(Folder, "tokenizer.bin"), sentencePiece.VocabSize);
        foreach (string line in split.HeldOutLines.Take(100))
        {
            Assert.Equal(llama2c.Encode(line, addBos: true), sentencePiece.Encode(line, addBos: true));
        }
    }
}
