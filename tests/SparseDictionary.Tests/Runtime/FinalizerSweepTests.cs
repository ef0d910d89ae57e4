using System.Runtime;
using System.Runtime.CompilerServices;
using SparseDictionary.Runtime;
using Xunit;

namespace SparseDictionary.Tests.Runtime;

public class FinalizerSweepTests
{
    [Fact]
    public void RunsTheFinalizersOfUnreachableObjectsBeforeReturning()
    {
        var finalized = new StrongBox<int>(0);
        for (int i = 0; i < 10; i++) Abandon(finalized);

        FinalizerSweep.Run();

        Assert.Equal(10, Volatile.Read(ref finalized.Value));
    }

    [Fact]
    public void SwitchedOffItDoesNotCollect()
    {
        Assert.True(FinalizerSweep.Enabled, "the sweep is on by default");
        // No collection can start inside a no-GC region unless something forces one: a sweep that ran would end it.
        Assert.True(GC.TryStartNoGCRegion(1 << 20));
        try
        {
            FinalizerSweep.Enabled = false;
            int before = GC.CollectionCount(0);
            FinalizerSweep.Run();
            Assert.Equal(before, GC.CollectionCount(0));
        }
        finally
        {
            FinalizerSweep.Enabled = true;
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(StrongBox<int> finalized) => _ = new Finalizable(finalized);

    private sealed class Finalizable(StrongBox<int> finalized)
    {
        ~Finalizable() => Interlocked.Increment(ref finalized.Value);
    }
}
