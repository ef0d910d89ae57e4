// Uses SparseDictionary from its NuGet packages, as an application outside the repository would: activations read from
// a small random Llama model over a short corpus (SparseDictionary.Llama, SparseDictionary.Bridges), an SAE trained on
// them for 20 steps, saved as a SAELens folder, loaded back, and evaluated (SparseDictionary).
// tests/SparseDictionary.Packaging.Tests runs it and checks what it prints.
using System.Globalization;
using System.Text;
using SparseDictionary.Activations;
using SparseDictionary.Autoencoders;
using SparseDictionary.Bridges;
using SparseDictionary.Evaluation;
using SparseDictionary.Formats;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using SparseDictionary.Training;
using TorchSharp;
using static TorchSharp.torch;

var hook = new HookPoint(1, HookSite.ResidualPost);
var tokenizer = new ByteTokenizer();
var config = new LlamaConfig(dim: 32, hiddenDim: 64, layerCount: 2, headCount: 4, kvHeadCount: 2, vocabSize: tokenizer.VocabSize, maxSeqLen: 64);
using LlamaModel model = LanguageModelTrainer.CreateModel(config, seed: 1);
string[] documents =
[
    "Sparse autoencoders find interpretable directions in a language model's residual stream.",
    "Each latent should fire on few tokens, and the decoder should rebuild the activations from them.",
    "This sample reads the packages from a local folder feed, exactly as they would be published.",
    "Once upon a time, there was a little model with two layers and thirty-two dimensions.",
    "It had never seen any text before, but its activations still had plenty of structure to learn.",
];

// Every real token except BOS is collected; the byte tokenizer makes one token per UTF-8 byte.
long expectedTokens = documents.Sum(d => Encoding.UTF8.GetByteCount(d));
Tensor activations;
using (var source = new ModelActivationSource(model, tokenizer, new InMemoryText(documents), hook,
    new ModelActivationSourceOptions { Windows = new ContextWindowOptions { ContextLength = 64 } }))
{
    var batches = new List<Tensor>();
    while (source.NextBatch(128) is { } batch) batches.Add(batch);
    activations = cat(batches, 0);
    foreach (Tensor batch in batches) batch.Dispose();
}
if (activations.shape[0] != expectedTokens) throw new InvalidOperationException($"Expected {expectedTokens} activations, got {activations.shape[0]}.");
Console.WriteLine($"activations: {activations.shape[0]} tokens x {activations.shape[1]} at {hook}");

string folder = Path.Combine(Path.GetTempPath(), $"local-feed-sample-{Guid.NewGuid():N}");
try
{
    using (var sae = new StandardSae(config.Dim, 128, generator: new Generator(3)))
    using (var source = new InMemoryActivationSource(activations, seed: 4))
    {
        var options = new TrainerOptions { TotalSteps = 20, BatchSize = 64, LearningRate = 1e-3, WarmupSteps = 2 };
        TrainingResult result = new SaeTrainer(sae, new StandardSpec { L1Coefficient = 1 }, options).Train(source);
        Console.WriteLine($"trained: {result.StepsCompleted} steps, {result.TokensSeen} tokens");
        SaeLensFolder.Save(sae, folder, new SaeLensMetadata { ModelName = "random-llama", HookName = hook.Name });
    }
    Console.WriteLine($"saved: {string.Join(", ", Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal))}");

    using ISparseAutoencoder loaded = SaeLensFolder.Load(folder);
    SaeLensConfig saved = SaeLensFolder.ReadConfig(folder);
    Console.WriteLine($"loaded: {loaded.Architecture} d_in={loaded.DIn} d_sae={loaded.DSae} hook={saved.Metadata.HookName}");

    using var evalSource = new InMemoryActivationSource(activations, shuffle: false, cycle: false);
    IReadOnlyList<IMetricEvaluator> evaluators = SaeEvaluation.DefaultEvaluators(loaded.DSae);
    IReadOnlyDictionary<string, double> metrics = SaeEvaluation.Evaluate(loaded, evalSource, evaluators);
    foreach (IMetricEvaluator evaluator in evaluators) (evaluator as IDisposable)?.Dispose();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"metrics: {MetricNames.ExplainedVariance}={metrics[MetricNames.ExplainedVariance]:F4} {MetricNames.L0}={metrics[MetricNames.L0]:F2}"));
}
finally
{
    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    activations.Dispose();
}
