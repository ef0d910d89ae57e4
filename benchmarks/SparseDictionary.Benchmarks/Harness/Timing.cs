using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDictionary.Benchmarks.Harness;

/// <summary>Wall-clock timing of an action: warm-up runs, then the median of several timed runs.</summary>
internal static class Timing
{
    /// <summary>Median seconds per call of <paramref name="body"/> (each call in its own dispose scope).</summary>
    public static double Median(Action body, Device device, int warmup = 1, int repeats = 5, double maxSeconds = 20)
    {
        for (int i = 0; i < warmup; i++) Once(body, device);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
        {
            times.Add(Once(body, device));
            if (total.Elapsed.TotalSeconds > maxSeconds && times.Count >= 2) break;
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static double Once(Action body, Device device)
    {
        var clock = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        {
            body();
            if (device.type == DeviceType.CUDA) cuda.synchronize();
        }
        return clock.Elapsed.TotalSeconds;
    }
}
