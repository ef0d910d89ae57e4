using System.Diagnostics;
using Xunit;
using static TorchSharp.torch;

namespace SparseDictionary.Llama.Tests;

public sealed class LanguageModelTrainerTests
{
    private const string Text = "the cat sat on the mat. the dog ate the bone. a bird sang in the tree. ";

    private static (Llama2cTokenizer Tokenizer, BpeVocabulary Vocabulary, int[] Tokens) Tokenize(TempDirectory dir)
    {
        BpeVocabulary vocabulary = BpeTrainer.Train([Text], new BpeTrainerOptions(vocabSize: 300));
        string path = dir.File("tokenizer.bin");
        Llama2cTokenizerWriter.Save(path, vocabulary);
        var tokenizer = Llama2cTokenizer.Load(path, vocabulary.Count);
        return (tokenizer, vocabulary, tokenizer.Encode(string.Concat(Enumerable.Repeat(Text, 40)), addBos: true));
    }

    private static LlamaConfig TinyConfig(int vocab, bool tied = true) =>
        new(dim: 32, hiddenDim: 64, layerCount: 2, headCount: 4, kvHeadCount: 2, vocabSize: vocab, maxSeqLen: 32, tieWordEmbeddings: tied);

    [Fact]
    public void Train_TinyRepeatedText_LossFallsFarBelowTheUnigramBaseline()
    {
        using var dir = new TempDirectory();
        (_, BpeVocabulary vocabulary, int[] tokens) = Tokenize(dir);
        var options = new LanguageModelTrainerOptions(steps: 200, batchSize: 8, contextLength: 24, learningRate: 1e-2, warmupSteps: 20,
            minLearningRate: 1e-3, weightDecay: 0.01, seed: 7, evalInterval: 0);
        using LlamaModel model = LanguageModelTrainer.CreateModel(TinyConfig(vocabulary.Count), options.Seed);
        double unigram = UnigramBaseline.Perplexity(tokens, tokens, vocabulary.Count);
        double before = Math.Exp(LanguageModelTrainer.Evaluate(model, tokens, options.ContextLength));
        var reports = new List<LanguageModelTrainingProgress>();

        var stopwatch = Stopwatch.StartNew();
        LanguageModelTrainingResult result = new LanguageModelTrainer(options).Train(model, tokens, tokens, new SyncProgress(reports.Add));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"{stopwatch.Elapsed}");
        // An untrained model is near uniform (≈ the vocabulary size); the text is a 3-sentence loop, nearly deterministic.
        Assert.InRange(before, vocabulary.Count * 0.5, vocabulary.Count * 2.0);
        Assert.True(result.HeldOutPerplexity < 2.0, $"perplexity {result.HeldOutPerplexity}, unigram {unigram}");
        Assert.True(unigram > 10, $"unigram {unigram}");
        Assert.Equal(200, reports.Count);
        Assert.Equal(result.HeldOutPerplexity, reports[^1].HeldOutPerplexity);
        Assert.All(reports, r => Assert.True(r.GradientNorm > 0 && double.IsFinite(r.Loss)));
    }

    [Fact]
    public void Train_SameSeed_SameWeights()
    {
        using var dir = new TempDirectory();
        (_, BpeVocabulary vocabulary, int[] tokens) = Tokenize(dir);
        var options = new LanguageModelTrainerOptions(steps: 5, batchSize: 2, contextLength: 16, warmupSteps: 2, seed: 3, evalInterval: 0, maxEvalWindows: 2);
        double Run()
        {
            using LlamaModel model = LanguageModelTrainer.CreateModel(TinyConfig(vocabulary.Count), options.Seed);
            return new LanguageModelTrainer(options).Train(model, tokens, tokens).FinalLoss;
        }

        Assert.Equal(Run(), Run());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Save_ThenLoad_GivesIdenticalLogits(bool tied)
    {
        using var dir = new TempDirectory();
        (Llama2cTokenizer tokenizer, BpeVocabulary vocabulary, int[] tokens) = Tokenize(dir);
        using LlamaModel model = LanguageModelTrainer.CreateModel(TinyConfig(vocabulary.Count, tied), seed: 5);
        new LanguageModelTrainer(new LanguageModelTrainerOptions(steps: 3, batchSize: 2, contextLength: 16, warmupSteps: 1, evalInterval: 0, maxEvalWindows: 1))
            .Train(model, tokens, tokens);
        string folder = Path.Combine(dir.Path, "model");

        HuggingFaceCheckpoint.Save(model, folder, tokenizer: vocabulary);
        using LlamaModel loaded = HuggingFaceCheckpoint.Load(folder);

        LlamaConfig c = model.Config;
        Assert.Equal(new LlamaConfig(c.Dim, c.HiddenDim, c.LayerCount, c.HeadCount, c.KvHeadCount, c.VocabSize, c.MaxSeqLen, c.RmsNormEps, c.RopeTheta,
            c.TieWordEmbeddings, c.BosTokenId, c.EosTokenId, ScalarType.Float32), loaded.Config);
        using Tensor input = tensor(tokens.Take(20).Select(t => (long)t).ToArray(), [1, 20]);
        using (no_grad())
        {
            using Tensor expected = model.forward(input);
            using Tensor actual = loaded.forward(input);
            Assert.True(expected.eq(actual).all().ToBoolean(), "The reloaded model's logits differ.");
        }
        string text = string.Concat(Enumerable.Repeat(Text, 40));
        Assert.Equal(tokens, Llama2cTokenizer.Load(Path.Combine(folder, HuggingFaceCheckpoint.TokenizerFileName), vocabulary.Count).Encode(text, addBos: true));
        Assert.Equal([HuggingFaceCheckpoint.ConfigFileName, HuggingFaceCheckpoint.WeightsFileName, HuggingFaceCheckpoint.TokenizerFileName, HuggingFaceCheckpoint.SentencePieceFileName],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // The folder's tokenizer: tokenizer.model, else tokenizer.bin sized by config.json.
        ITokenizer folderTokenizer = ModelTokenizer.Load(folder);
        Assert.IsType<SentencePieceTokenizer>(folderTokenizer);
        Assert.Equal(tokens, folderTokenizer.Encode(text, addBos: true));
        File.Delete(Path.Combine(folder, HuggingFaceCheckpoint.SentencePieceFileName));
        Assert.Equal(tokens, Assert.IsType<Llama2cTokenizer>(ModelTokenizer.Load(folder)).Encode(text, addBos: true));
    }

    [Fact]
    public void Save_AsBFloat16_HalvesTheWeightsAndSaysSo()
    {
        using var dir = new TempDirectory();
        using LlamaModel model = LanguageModelTrainer.CreateModel(TinyConfig(300), seed: 5);
        string full = Path.Combine(dir.Path, "f32"), half = Path.Combine(dir.Path, "bf16");

        HuggingFaceCheckpoint.Save(model, full);
        HuggingFaceCheckpoint.Save(model, half, ScalarType.BFloat16);
        HuggingFaceCheckpoint.Save(model, half, ScalarType.BFloat16); // replaces the folder

        Assert.Equal(ScalarType.BFloat16, HuggingFaceCheckpoint.ReadConfig(half).WeightDType);
        long Size(string f) => new FileInfo(Path.Combine(f, HuggingFaceCheckpoint.WeightsFileName)).Length;
        Assert.InRange(Size(half), Size(full) / 2 - 1024, Size(full) / 2 + 1024);
        Assert.Single(Directory.GetDirectories(dir.Path), d => d.EndsWith("bf16", StringComparison.Ordinal));
    }

    [Fact]
    public void UnigramBaseline_HandComputed()
    {
        // Counts 0:2, 1:1, 2:0 over N = 3, V = 3: p(0) = 3/6, p(2) = 1/6; perplexity = exp(−(ln ½ + ln ⅙)/2) = √12.
        Assert.Equal(Math.Sqrt(12), UnigramBaseline.Perplexity([0, 0, 1], [0, 2], 3), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => UnigramBaseline.Perplexity([0, 3], [0], 3));
    }

    [Fact]
    public void LearningRateSchedule_WarmsUpThenFollowsTheCosine()
    {
        var options = new LanguageModelTrainerOptions(steps: 110, learningRate: 1e-3, warmupSteps: 10, minLearningRate: 1e-4);

        Assert.Equal(1e-4, LanguageModelLearningRate.At(0, options), 15);
        Assert.Equal(5e-4, LanguageModelLearningRate.At(4, options), 15);
        Assert.Equal(1e-3, LanguageModelLearningRate.At(9, options), 15);
        Assert.Equal(1e-3, LanguageModelLearningRate.At(10, options), 15);
        // Half-way through the decay the cosine is at zero: the mean of the peak and the minimum.
        Assert.Equal(5.5e-4, LanguageModelLearningRate.At(60, options), 15);
        Assert.Equal(1e-4 + 9e-4 * 0.5 * (1 + Math.Cos(Math.PI * 0.99)), LanguageModelLearningRate.At(109, options), 15);
        Assert.Equal(1e-4, LanguageModelLearningRate.At(500, options), 15);
    }

    // Progress<T> posts to the thread pool; the test needs the reports in order before Train returns.
    private sealed class SyncProgress(Action<LanguageModelTrainingProgress> report) : IProgress<LanguageModelTrainingProgress>
    {
        public void Report(LanguageModelTrainingProgress value) => report(value);
    }
}
