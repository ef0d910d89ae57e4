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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(StrongBox<int> finalized) => _ = new Finalizable(finalized);

    private sealed class Finalizable(StrongBox<int> finalized)
    {
        ~Finalizable() => Interlocked.Increment(ref finalized.Value);
    }
}
