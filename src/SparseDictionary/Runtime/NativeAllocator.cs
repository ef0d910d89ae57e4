using System.Runtime.InteropServices;

namespace SparseDictionary.Runtime;

/// <summary>What <see cref="NativeAllocator.Configure(NativeAllocatorOptions?)"/> did.</summary>
public enum NativeAllocatorStatus
{
    /// <summary>Not attempted yet in this process.</summary>
    NotConfigured,

    /// <summary>glibc's thresholds were set.</summary>
    Applied,

    /// <summary>Switched off by <see cref="NativeAllocatorOptions.Enabled"/> or <c>SPARSEDICTIONARY_MALLOPT=0</c>.</summary>
    Disabled,

    /// <summary>Not Linux with glibc (Windows, macOS, musl): nothing to do.</summary>
    Unsupported,

    /// <summary>glibc was found but <c>mallopt</c> refused a value.</summary>
    Failed,
}

/// <summary>Thresholds for glibc's <c>malloc</c> (see <see cref="NativeAllocator"/>).</summary>
public sealed record NativeAllocatorOptions
{
    /// <summary>Whether to set the thresholds at all (the environment variable can still switch it off).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// <c>M_MMAP_THRESHOLD</c>: blocks at least this large are served by their own <c>mmap</c> and returned to the
    /// system when freed. glibc's default starts at 128 KiB and adapts up to 32 MiB; 1 GiB keeps every tensor of a
    /// training step in the heap, where freed blocks are reused instead of page-faulted in again.
    /// </summary>
    public int MmapThresholdBytes { get; init; } = 1 << 30;

    /// <summary>
    /// <c>M_TRIM_THRESHOLD</c>: free memory at the top of the heap beyond this is returned to the system. The default
    /// (<see cref="int.MaxValue"/>) keeps it, so RSS stays at the training step's peak instead of shrinking and growing
    /// every step.
    /// </summary>
    public int TrimThresholdBytes { get; init; } = int.MaxValue;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        if (MmapThresholdBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MmapThresholdBytes), MmapThresholdBytes, "MmapThresholdBytes must be positive.");
        if (TrimThresholdBytes <= 0) throw new ArgumentOutOfRangeException(nameof(TrimThresholdBytes), TrimThresholdBytes, "TrimThresholdBytes must be positive.");
    }
}

/// <summary>
/// Tunes glibc's <c>malloc</c> for LibTorch's large, short-lived buffers. With glibc's defaults each training step's
/// large tensors are <c>mmap</c>ed, freed back to the system and page-faulted in again on the next step, which costs as
/// much as the arithmetic (a PyTorch SAE step of batch 4096, d_in 512, 4096 latents: ~1.85 s with the defaults, ~0.74 s
/// with larger thresholds). <see cref="Configure(NativeAllocatorOptions?)"/> calls <c>mallopt(M_MMAP_THRESHOLD)</c>
/// and <c>mallopt(M_TRIM_THRESHOLD)</c> once per process through P/Invoke; it does nothing on other C libraries and
/// operating systems, and nothing when the environment variable <c>SPARSEDICTIONARY_MALLOPT</c> is <c>0</c>.
/// </summary>
/// <remarks>
/// The trainer, the CLI, the samples and the benchmarks call it at start-up; an application that manages its own
/// allocator (jemalloc through <c>LD_PRELOAD</c>, or <c>MALLOC_*</c> variables) can set the variable to <c>0</c>. The
/// cost is that memory freed by LibTorch stays with the process (RSS stays at the peak of a step).
/// </remarks>
public static class NativeAllocator
{
    /// <summary>The environment variable that switches the tuning off when set to <c>0</c> (or <c>false</c>, <c>off</c>).</summary>
    public const string EnvironmentVariable = "SPARSEDICTIONARY_MALLOPT";

    private const int MTrimThreshold = -1; // M_TRIM_THRESHOLD in glibc's malloc.h
    private const int MMmapThreshold = -3; // M_MMAP_THRESHOLD
    private const string LibC = "libc.so.6";
    private static readonly object Gate = new();

    /// <summary>The outcome of the first <see cref="Configure(NativeAllocatorOptions?)"/> call in this process.</summary>
    public static NativeAllocatorStatus Status { get; private set; } = NativeAllocatorStatus.NotConfigured;

    /// <summary>
    /// Sets glibc's thresholds once per process (later calls return the first call's outcome). Call it before the
    /// first large tensor is made.
    /// </summary>
    /// <param name="options">Thresholds; <see langword="null"/> for the defaults.</param>
    public static NativeAllocatorStatus Configure(NativeAllocatorOptions? options = null)
    {
        options ??= new NativeAllocatorOptions();
        options.Validate();
        lock (Gate)
        {
            if (Status != NativeAllocatorStatus.NotConfigured) return Status;
            Status = Decide(options, Environment.GetEnvironmentVariable(EnvironmentVariable), IsGlibc())
                ?? Apply(options);
            return Status;
        }
    }

    /// <summary>Whether the value of <see cref="EnvironmentVariable"/> switches the tuning off.</summary>
    public static bool SwitchedOffBy(string? environmentValue) =>
        environmentValue?.Trim().ToLowerInvariant() is "0" or "false" or "off" or "no";

    /// <summary>The outcome without calling into libc, or <see langword="null"/> when <c>mallopt</c> should be called.</summary>
    internal static NativeAllocatorStatus? Decide(NativeAllocatorOptions options, string? environmentValue, bool isGlibc)
    {
        if (!options.Enabled || SwitchedOffBy(environmentValue)) return NativeAllocatorStatus.Disabled;
        if (!isGlibc) return NativeAllocatorStatus.Unsupported;
        return null;
    }

    /// <summary>
    /// Whether this process runs on Linux with glibc: <c>libc.so.6</c> loads and exports <c>gnu_get_libc_version</c>
    /// (musl and other C libraries do not).
    /// </summary>
    public static bool IsGlibc()
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (!NativeLibrary.TryLoad(LibC, out var handle)) return false;
        try
        {
            return NativeLibrary.TryGetExport(handle, "gnu_get_libc_version", out _)
                && NativeLibrary.TryGetExport(handle, "mallopt", out _);
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static NativeAllocatorStatus Apply(NativeAllocatorOptions options)
    {
        // mallopt returns 1 on success, 0 on error.
        bool ok = mallopt(MMmapThreshold, options.MmapThresholdBytes) == 1;
        ok &= mallopt(MTrimThreshold, options.TrimThresholdBytes) == 1;
        return ok ? NativeAllocatorStatus.Applied : NativeAllocatorStatus.Failed;
    }

    [DllImport(LibC, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code; two int arguments marshal trivially.
    private static extern int mallopt(int parameter, int value);
#pragma warning restore SYSLIB1054
}
