// The seed experiment on the embedded default model and WikiText-2: the original note's experiments in one command.
// Usage: dotnet run -c Release --project samples/SeedExperiment [-- --output DIR] [--steps N] [--quick]
// --quick runs a small version (fewer tokens and steps) to check the pipeline in about a minute.
using System.Diagnostics;
using System.Globalization;
using SparseDictionary.Experiments.Results;
using SparseDictionary.Experiments.Seed;
using SparseDictionary.Runtime;
using TorchSharp;

NativeAllocator.Configure(); // glibc malloc thresholds (docs/performance.md); SPARSEDICTIONARY_MALLOPT=0 switches it off

string root = RepositoryRoot();
string output = Option("--output") ?? Path.Combine(root, "results", "seed");
bool quick = args.Contains("--quick");
torch.set_num_threads(Math.Min(Environment.ProcessorCount, 2));

var options = new SeedExperimentOptions
{
    ModelFolder = Path.Combine(root, "models", "wikitext2-llama"),
    CorporaFolder = Path.Combine(root, "data", "corpora"),
    OutputFolder = output,
};
if (quick) options = options.Quick();
if (Option("--steps") is { } steps) options = options with { Steps = int.Parse(steps, CultureInfo.InvariantCulture) };

Console.WriteLine($"Seed experiment: {options.ModelFolder} on WikiText-2, {SeedExperimentPlan.RunsFor(options).Count} SAEs per layer, output {output}");
var clock = Stopwatch.StartNew();
SeedExperimentResult result = new SeedExperiment(options).Run(new ConsoleProgress(clock));
Console.WriteLine();
Console.WriteLine(ResultsWriter.Table(result));
ResultsWriter.Write(result, output);
IReadOnlyList<string> plots = ResultPlots.Write(result, Path.Combine(output, "plots"));
Console.WriteLine($"Wrote {ResultsWriter.JsonFileName}, {ResultsWriter.CsvFileName} and {plots.Count} plots to {output} in {clock.Elapsed.TotalMinutes:F1} min.");
foreach (LayerBrowser browser in result.Browsers ?? [])
{
    Console.WriteLine($"Feature browser, layer {browser.Layer} ({browser.RunName}): {new Uri(Path.GetFullPath(Path.Combine(output, browser.IndexPath))).AbsoluteUri}");
}
return 0;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string RepositoryRoot()
{
    for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln"))) return dir.FullName;
    }
    throw new DirectoryNotFoundException("Run this sample from inside the SparseDictionary repository.");
}

// One line per run, and collection progress every few seconds.
internal sealed class ConsoleProgress(Stopwatch clock) : IProgress<SeedExperimentProgress>
{
    private string _lastStage = "";
    private TimeSpan _lastPrint;

    public void Report(SeedExperimentProgress value)
    {
        bool newStage = value.Stage != _lastStage;
        if (!newStage && value.Stage == "collect" && clock.Elapsed - _lastPrint < TimeSpan.FromSeconds(5)) return;
        _lastStage = value.Stage;
        _lastPrint = clock.Elapsed;
        Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {value.Stage} {value.Completed}/{value.Total} {value.Detail}");
    }
}
