using System.Diagnostics;
using System.Globalization;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using TrainDefaultModel;

// Trains the repository's default model from WikiText-2, with fixed seeds:
//   dotnet run -c Release --project tools/TrainDefaultModel -- [--corpora DIR] [--output DIR] [--steps N] [--measure N] [--tokenizer-only]
// --measure N times N training steps at the recipe's shape and prints the projected run time; it saves nothing.
var arguments = Arguments.Parse(args);
var total = Stopwatch.StartNew();
WikiTextSplit split = WikiTextSplit.Read(arguments.Corpora);
Console.WriteLine($"Train: {split.TrainLines.Count} paragraphs; held out: {split.HeldOutLines.Count} paragraphs (last {WikiTextSplit.HeldOutArticles} validation articles).");

BpeVocabulary vocabulary = BpeTrainer.Train(split.TrainLines, Recipe.Tokenizer);
if (arguments.TokenizerOnly)
{
    // The tokenizer alone (deterministic): tokenizer.bin and tokenizer.model into the output folder, next to a model.
    Directory.CreateDirectory(arguments.Output);
    Llama2cTokenizerWriter.Save(Path.Combine(arguments.Output, "tokenizer.bin"), vocabulary);
    SentencePieceModelWriter.Save(Path.Combine(arguments.Output, HuggingFaceCheckpoint.SentencePieceFileName), vocabulary);
    Console.WriteLine($"Wrote the tokenizer ({vocabulary.Count} tokens) to {arguments.Output}.");
    return 0;
}
string tokenizerPath = Path.Combine(Path.GetTempPath(), $"tokenizer-{Guid.NewGuid():N}.bin");
Llama2cTokenizerWriter.Save(tokenizerPath, vocabulary);
var tokenizer = Llama2cTokenizer.Load(tokenizerPath, vocabulary.Count);
File.Delete(tokenizerPath);
int[] Pack(IEnumerable<string> lines) => lines.SelectMany(l => tokenizer.Encode(l, addBos: true)).ToArray();
int[] train = Pack(split.TrainLines), heldOut = Pack(split.HeldOutLines);
Console.WriteLine($"Tokenizer: {vocabulary.Count} tokens, {vocabulary.MergeCount} merges; {train.Length} training and {heldOut.Length} held-out tokens ({total.Elapsed.TotalSeconds:F0} s).");

double unigram = UnigramBaseline.Perplexity(train, heldOut, vocabulary.Count);
Console.WriteLine($"Unigram baseline (add-one) held-out perplexity: {unigram:F2}.");
LlamaConfig config = Recipe.Model(vocabulary.Count);
int steps = arguments.Measure ?? arguments.Steps;
LanguageModelTrainerOptions options = Recipe.Training(steps);
using LlamaModel model = LanguageModelTrainer.CreateModel(config, options.Seed);
long parameters = model.parameters().Sum(p => p.numel());
Console.WriteLine($"Model: {parameters:N0} parameters; {options.BatchSize} × {options.ContextLength} tokens a step.");

if (arguments.Measure is { } measured)
{
    var measureOptions = new LanguageModelTrainerOptions(steps: measured, batchSize: options.BatchSize, contextLength: options.ContextLength,
        learningRate: options.LearningRate, warmupSteps: 1, minLearningRate: options.MinLearningRate, seed: options.Seed, threads: options.Threads,
        evalInterval: 0, maxEvalWindows: 1);
    var times = new List<double>();
    var cpu = new List<double>();
    var clock = Stopwatch.StartNew();
    TimeSpan cpuMark = Process.GetCurrentProcess().TotalProcessorTime;
    new LanguageModelTrainer(measureOptions).Train(model, train, heldOut, new Reporter(p =>
    {
        times.Add(clock.Elapsed.TotalSeconds);
        clock.Restart();
        TimeSpan now = Process.GetCurrentProcess().TotalProcessorTime;
        cpu.Add((now - cpuMark).TotalSeconds);
        cpuMark = now;
        Console.WriteLine($"step {p.Step}: loss {p.Loss:F3}, {times[^1]:F2} s wall, {cpu[^1]:F2} s CPU");
    }));
    // The first step pays for allocation and warm-up.
    double perStep = times.Skip(1).DefaultIfEmpty(times[0]).Average();
    // On a shared machine the wall time overstates the cost; CPU seconds / threads is what two free cores would take.
    double cpuPerStep = cpu.Skip(1).DefaultIfEmpty(cpu[0]).Average();
    var evalClock = Stopwatch.StartNew();
    LanguageModelTrainer.Evaluate(model, heldOut, options.ContextLength, options.BatchSize);
    double evalSeconds = evalClock.Elapsed.TotalSeconds;
    double projected = perStep * Recipe.DefaultSteps + evalSeconds * (Recipe.DefaultSteps / options.EvalInterval + 1) + total.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{perStep:F2} s a step ({cpuPerStep:F2} CPU s); one held-out evaluation {evalSeconds:F1} s; projected {Recipe.DefaultSteps} steps: {projected / 60:F1} min at this wall time, {projected * cpuPerStep / options.Threads / perStep / 60:F1} min on {options.Threads} free cores."));
    return 0;
}

var trainer = new LanguageModelTrainer(options);
LanguageModelTrainingResult result = trainer.Train(model, train, heldOut, new Reporter(p =>
{
    if (p.Step % 25 == 0 || p.HeldOutPerplexity is not null)
    {
        string evaluation = p.HeldOutPerplexity is { } ppl ? $", held-out perplexity {ppl:F2}" : "";
        Console.WriteLine($"step {p.Step}/{p.Steps}: loss {p.Loss:F3}, lr {p.LearningRate:G3}, |g| {p.GradientNorm:F2}{evaluation} ({total.Elapsed.TotalMinutes:F1} min)");
    }
}));

HuggingFaceCheckpoint.Save(model, arguments.Output, tokenizer: vocabulary);
// The shipped numbers are those of the saved files, reloaded.
using LlamaModel saved = HuggingFaceCheckpoint.Load(arguments.Output);
double savedPerplexity = Math.Exp(LanguageModelTrainer.Evaluate(saved, heldOut, options.ContextLength, options.BatchSize));
long bytes = Directory.GetFiles(arguments.Output).Sum(f => new FileInfo(f).Length);
Console.WriteLine($"Held-out perplexity: model {savedPerplexity:F2} (during training {result.HeldOutPerplexity:F2}), unigram baseline {unigram:F2}.");
Console.WriteLine($"Saved {arguments.Output}: {bytes:N0} bytes ({bytes / 1e6:F2} MB); total {total.Elapsed.TotalMinutes:F1} min.");
return 0;

internal sealed class Reporter(Action<LanguageModelTrainingProgress> report) : IProgress<LanguageModelTrainingProgress>
{
    public void Report(LanguageModelTrainingProgress value) => report(value);
}
