namespace SparseDictionary.Runtime;

/// <summary>
/// Runs the .NET finalizers of the previous training step before the next one allocates.
/// </summary>
/// <remarks>
/// TorchSharp creates a native <c>Scalar</c> for every number passed to a tensor operation (<c>t * 0.5</c>,
/// <c>t &gt; 0</c>, Adam's step sizes); no dispose scope owns those, so only their finalizers free them. Left to the
/// GC they die at random moments in small native blocks scattered between LibTorch's large per-step buffers, which
/// fragments glibc's heap: the Gated SAE's training RSS swung between 1.4 and 2.6 GiB at a shape that needs ~0.3 GiB,
/// and the step slowed by the page faults. A young-generation collection and the pending finalizers at each step
/// boundary free them all at once, before the step's large buffers are allocated (well under a millisecond against
/// steps of tens to hundreds of milliseconds). See docs/performance.md.
/// </remarks>
public static class FinalizerSweep
{
    /// <summary>Collects generations 0 and 1 and waits for their finalizers (TorchSharp's native handles) to run.</summary>
    public static void Run()
    {
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }
}
