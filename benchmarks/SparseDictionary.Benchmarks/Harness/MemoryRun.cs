using SparseDictionary.Autoencoders;
using System.Diagnostics;
using System.Globalization;
using SparseDictionary.Activations;
using SparseDictionary.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>
/// A long training run through <see cref="SaeTrainer"/> (small shape): RSS at steps 500 and the last step, and the peak
/// (VmHWM). Flat memory means ≤ 5% growth between step 500 and the end.
/// </summary>
internal static class MemoryRun
{
    public static void Run(HarnessArgs a)
    {
        int steps = a.Int("--steps", 2000), batch = a.Int("--batch", 1024), dIn = a.Int("--d-in", 128), expansion = a.Int("--expansion", 8);
        foreach (var arch in a.List("--arch", StandardArchitecture.ArchitectureName, GatedArchitecture.ArchitectureName))
        {
            using var generator = new Generator(1);
            using var sae = SaeWorkload.Create(arch, dIn, dIn * expansion, CPU, ScalarType.Float32, generator);
            using var data = randn(new long[] { 65_536, dIn }, generator: generator);
            using var source = new InMemoryActivationSource(data, seed: 1);
            var options = new TrainerOptions { TotalSteps = steps, BatchSize = batch, LearningRate = 1e-3, InitializationTokens = batch, LogEverySteps = 100 };
            var samples = new SortedDictionary<int, long>();
            var clock = Stopwatch.StartNew();
            var progress = new Synchronous<TrainingProgress>(p =>
            {
                if (p.Step is 1 or 100 or 500 or 1000 or 1500 || p.Step == p.TotalSteps) samples[p.Step] = Rss("VmRSS");
            });
            new SaeTrainer(sae, SaeWorkload.SpecFor(arch, dIn * expansion), options).Train(source, progress);
            double seconds = clock.Elapsed.TotalSeconds;
            long at500 = samples.GetValueOrDefault(500), last = samples[steps];
            double growth = at500 > 0 ? (double)(last - at500) / at500 : double.NaN;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"memory: {arch} {dIn}×{expansion}, batch {batch}, {steps} steps in {seconds:F0} s; RSS MiB at steps {string.Join(", ", samples.Select(s => $"{s.Key}: {s.Value / 1048576.0:F0}"))}; peak (VmHWM) {Rss("VmHWM") / 1048576.0:F0} MiB; growth 500→{steps}: {growth:P1} ({(growth <= 0.05 ? "flat" : "NOT flat")}); allocator {Runtime.NativeAllocator.Status}"));
        }
    }

    /// <summary>A field of /proc/self/status in bytes (Linux), or 0.</summary>
    public static long Rss(string field)
    {
        if (!File.Exists("/proc/self/status")) return Environment.WorkingSet;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
