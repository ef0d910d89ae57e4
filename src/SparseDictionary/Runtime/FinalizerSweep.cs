namespace SparseDictionary.Runtime;

/// <summary>
/// Runs the .NET finalizers of the previous training step before the next one allocates.
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp creates a native <c>Scalar</c> for every number passed to a tensor operation (<c>t * 0.5</c>,
/// <c>t &gt; 0</c>, Adam's step sizes); no dispose scope owns those, so only their finalizers free them. Left to the
/// GC they die at random moments in small native blocks scattered between LibTorch's large per-step buffers, which
/// fragments glibc's heap: the Gated SAE's training RSS swung between 1.4 and 2.6 GiB at a shape that needs ~0.3 GiB,
/// and the step slowed by the page faults. A young-generation collection and the pending finalizers at each step
/// boundary free them all at once, before the step's large buffers are allocated (about 0.4 ms against steps of tens
/// to hundreds of milliseconds). See docs/performance.md.
/// </para>
/// <para>
/// Threads: TorchSharp does not keep a <c>Scalar</c> alive while LibTorch reads it, so a garbage collection started by
/// another thread can free one in the middle of an operation (seen as an error from <c>c10::Scalar::toDouble</c> or a
/// wrong value). That hazard comes with any garbage collection; the sweep makes collections more frequent. The
/// library runs tensor work on one thread at a time. An application that runs TorchSharp work on several threads at
/// once while training or evaluating should switch the sweep off (<see cref="Enabled"/> or
/// <c>SPARSEDICTIONARY_FINALIZER_SWEEP=0</c>).
/// </para>
/// </remarks>
public static class FinalizerSweep
{
    /// <summary>The environment variable that switches the sweep off when set to <c>0</c> (or <c>false</c>, <c>off</c>).</summary>
    public const string EnvironmentVariable = "SPARSEDICTIONARY_FINALIZER_SWEEP";

    /// <summary>
    /// Whether <see cref="Run"/> collects; <see langword="false"/> when <see cref="EnvironmentVariable"/> switched it off
    /// at start-up. Settable by the application.
    /// </summary>
    public static bool Enabled { get; set; } = !NativeAllocator.SwitchedOffBy(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Collects generations 0 and 1 and waits for their finalizers (TorchSharp's native handles) to run, when <see cref="Enabled"/>.</summary>
    public static void Run()
    {
        if (!Enabled) return;
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
    }
}
