using System.Diagnostics;
using System.Globalization;
using SparseDictionary.Bridges;
using SparseDictionary.Llama;
using SparseDictionary.Llama.Corpus;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>Activation collection throughput (tokens/s) of the embedded model's forward with early exit at a layer.</summary>
internal static class CollectionThroughput
{
    public static void Run(HarnessArgs a, Report report, IReadOnlyList<Device> devices)
    {
        string root = RepositoryRoot();
        string modelFolder = a.Value("--model") ?? Path.Combine(root, "models", "wikitext2-llama");
        int tokens = a.Int("--tokens", 65_536), batch = 4096;
        var split = WikiTextSplit.Read(Path.Combine(root, "data", "corpora"));
        foreach (var device in devices)
        {
            using var model = HuggingFaceCheckpoint.Load(modelFolder, ScalarType.Float32, device);
            var tokenizer = ModelTokenizer.Load(modelFolder, model.Config.VocabSize);
            foreach (int layer in new[] { 2, model.Config.LayerCount - 1 })
            {
                var hook = new HookPoint(layer, HookSite.ResidualPost);
                using var source = new ModelActivationSource(model, tokenizer, split.TrainSource, hook, new ModelActivationSourceOptions { Device = device });
                using (var warm = NewDisposeScope()) source.NextBatch(batch);
                long served = 0;
                var clock = Stopwatch.StartNew();
                while (served < tokens)
                {
                    using var scope = NewDisposeScope();
                    var b = source.NextBatch(batch);
                    if (b is null) break;
                    served += b.shape[0];
                }
                double seconds = clock.Elapsed.TotalSeconds;
                report.Add(new Measurement("activation collection", device.ToString(), "float32", $"{model.Config.LayerCount}-layer model, d_model {model.Config.Dim}", $"{hook.Name} (early exit after layer {layer})",
                    seconds, 0, 0, string.Create(CultureInfo.InvariantCulture, $"{served / seconds:F0} tokens/s over {served} tokens")));
            }
        }
    }

    public static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SparseDictionary.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Run the benchmarks from inside the SparseDictionary repository.");
    }
}
