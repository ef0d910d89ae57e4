using System.Diagnostics;
using System.Globalization;
using SparseDictionary.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>Wall-clock timing of an action: warm-up runs, then the median of several timed runs.</summary>
internal static class Timing
{
    // A warm-up call that still page-faults more than this (4 MiB) means the allocator has not yet settled on the
    // call's working set: timing it then measures the kernel zeroing fresh pages, not the arithmetic.
    internal const long SettledFaults = 1024;
    private const int MaxWarmup = 8;
    private static readonly bool Trace = Environment.GetEnvironmentVariable("SPARSEDICTIONARY_BENCH_TRACE") == "1";

    /// <summary>
    /// Median seconds per call of <paramref name="body"/> (each call in its own dispose scope), after at least
    /// <paramref name="warmup"/> warm-up calls and until a call no longer page-faults (at most 8).
    /// </summary>
    public static double Median(Action body, Device device, int warmup = 1, int repeats = 5, double maxSeconds = 20) =>
        Measure(body, device, warmup, repeats, maxSeconds).Seconds;

    /// <summary>As <see cref="Median"/>, with the median page faults of the timed calls.</summary>
    public static Timed Measure(Action body, Device device, int warmup = 1, int repeats = 5, double maxSeconds = 20)
    {
        for (int i = 0; i < MaxWarmup; i++)
        {
            long before = MinorFaults();
            double seconds = Once(body, device);
            long faults = MinorFaults() - before;
            if (Trace) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up {i + 1}: {seconds * 1000:F1} ms, {faults} page faults"));
            if (i + 1 >= warmup && faults <= SettledFaults) break;
        }
        var times = new List<double>();
        var runFaults = new List<long>();
        var total = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
        {
            long before = MinorFaults();
            times.Add(Once(body, device));
            runFaults.Add(MinorFaults() - before);
            if (Trace) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {i + 1}: {times[^1] * 1000:F1} ms, {runFaults[^1]} page faults"));
            if (total.Elapsed.TotalSeconds > maxSeconds && times.Count >= 2) break;
        }
        times.Sort();
        runFaults.Sort();
        return new Timed(times[times.Count / 2], runFaults[runFaults.Count / 2]);
    }

    private static double Once(Action body, Device device)
    {
        // As the trainer and the evaluation loops do between batches; its own cost is traced, not timed.
        var sweep = Stopwatch.StartNew();
        FinalizerSweep.Run();
        if (Trace) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  finalizer sweep: {sweep.Elapsed.TotalMilliseconds:F2} ms"));
        var clock = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        {
            body();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The process's minor page faults so far (field 10 of /proc/self/stat), or 0 where there is none.</summary>
    private static long MinorFaults()
    {
        const string stat = "/proc/self/stat";
        if (!File.Exists(stat)) return 0;
        var text = File.ReadAllText(stat);
        // The command name (field 2) is parenthesised and may hold spaces: count fields after its closing parenthesis.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}

/// <summary>A median time and the median page faults of the same calls.</summary>
internal sealed record Timed(double Seconds, long PageFaults)
{
    /// <summary>
    /// <paramref name="note"/>, plus a warning when the calls still page-faulted more than 4 MiB each: glibc handed the
    /// call fresh pages every time (a buffer served by its own <c>mmap</c>), so the time includes zeroing them.
    /// </summary>
    public string Note(string note = "")
    {
        if (PageFaults <= Timing.SettledFaults) return note;
        string warning = string.Create(CultureInfo.InvariantCulture, $"page-faulted {PageFaults * 4096 / 1048576.0:F0} MiB per call");
        return note.Length == 0 ? warning : $"{note}; {warning}";
    }
}
