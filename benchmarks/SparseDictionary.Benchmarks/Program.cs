using System.Globalization;
using BenchmarkDotNet.Running;
using SparseDictionary.Benchmarks;
using SparseDictionary.Benchmarks.Harness;
using SparseDictionary.Runtime;
using TorchSharp;

// BenchmarkDotNet:  dotnet run -c Release --project benchmarks/SparseDictionary.Benchmarks -- --filter '*'
// Harness modes (docs/performance.md):
//   table   [--big] [--shapes 512x8,4096x8] [--arch standard,gated,topk] [--dtype float32,bfloat16] [--batch N]
//   sparse  [--d-in 512] [--expansion 8] [--activities 0.005,0.01,...]   the sparse step's speed-up vs L0; TopK decode
//   memory  [--steps 2000] [--d-in 128] [--expansion 8] [--batch 1024]    RSS flatness over a long run
//   collect [--tokens 65536]                                               Llama activation collection, tokens/s
//   kernels                                                                 LibTorch routes for the sparse products
// Common: --threads N (default 2), --device cpu|cuda|all (default all: CPU, and CUDA when present), --json FILE,
//         --repeats N. SPARSEDICTIONARY_MALLOPT=0 runs without the allocator thresholds.
string[] modes = ["table", "sparse", "memory", "collect", "kernels"];
if (args.Length == 0 || !modes.Contains(args[0]))
{
    NativeAllocator.Configure();
    BenchmarkSwitcher.FromAssembly(typeof(HotPathBenchmarks).Assembly).Run(args);
    return 0;
}

var a = new HarnessArgs(args);
var allocator = NativeAllocator.Configure();
int threads = a.Int("--threads", 2);
torch.set_num_threads(threads);
var devices = Devices(a.Value("--device") ?? "all");
Console.WriteLine($"mode {args[0]}; {threads} threads; allocator {allocator}; CPU {CpuModel()}; LibTorch {torch.__version__}; devices {string.Join(", ", devices)}");
if (!torch.cuda.is_available()) Console.WriteLine("CUDA: skipped (torch.cuda.is_available() is false)");
var report = new Report(a.Value("--json"));
switch (args[0])
{
    case "table": RooflineTable.Run(a, report, devices); break;
    case "sparse": SparseStepSweep.Run(a, report, devices); break;
    case "memory": MemoryRun.Run(a); break;
    case "collect": CollectionThroughput.Run(a, report, devices); break;
    case "kernels": SparseKernels.Run(a.Int("--batch", 4096), a.Int("--d-in", 512), a.Int("--d-in", 512) * a.Int("--expansion", 8), torch.CPU); break;
}
report.Write();
return 0;

static IReadOnlyList<torch.Device> Devices(string which) => which switch
{
    "cpu" => [torch.CPU],
    "cuda" => torch.cuda.is_available() ? [torch.CUDA] : [],
    _ => torch.cuda.is_available() ? [torch.CPU, torch.CUDA] : [torch.CPU],
};

static string CpuModel()
{
    const string cpuinfo = "/proc/cpuinfo";
    if (!File.Exists(cpuinfo)) return "unknown";
    var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
    return string.Create(CultureInfo.InvariantCulture, $"{line?.Split(':', 2)[1].Trim() ?? "unknown"} ({Environment.ProcessorCount} cores)");
}
