using SparseDictionary.Llama;

namespace TrainDefaultModel;

/// <summary>The fixed recipe of the default model: its tokenizer, shape and training options.</summary>
internal static class Recipe
{
    public const int Seed = 20261125;

    public static readonly BpeTrainerOptions Tokenizer = new(vocabSize: 4096, characterCoverage: 0.9995);

    // Grouped-query attention (8 query heads share 2 key/value heads); tied embeddings keep the file small.
    public static LlamaConfig Model(int vocabSize) => new(
        dim: 192, hiddenDim: 512, layerCount: 6, headCount: 8, kvHeadCount: 2, vocabSize: vocabSize, maxSeqLen: 256,
        tieWordEmbeddings: true);

    public static LanguageModelTrainerOptions Training(int steps) => new(
        steps: steps, batchSize: 16, contextLength: 128, learningRate: 2e-3, warmupSteps: Math.Min(100, steps / 10),
        minLearningRate: 2e-4, weightDecay: 0.1, beta1: 0.9, beta2: 0.95, gradientClip: 1.0, seed: Seed, threads: 2,
        evalInterval: 500, maxEvalWindows: 0);

    public const int DefaultSteps = 1500;
}
